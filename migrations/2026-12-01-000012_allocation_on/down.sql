DROP FUNCTION allocation_on(projects, DATE);
