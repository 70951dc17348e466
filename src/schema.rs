// @generated automatically by Diesel CLI.

diesel::table! {
    alert_events (id) {
        id -> Int8,
        alert_id -> Int8,
        action -> Text,
        note -> Text,
        user_id -> Nullable<Int8>,
        at -> Timestamptz,
    }
}

diesel::table! {
    alerts (id) {
        id -> Int8,
        kind -> Text,
        severity -> Text,
        fiscal_year -> Int4,
        month -> Int2,
        bureau_id -> Nullable<Int4>,
        project_id -> Nullable<Int4>,
        scope_key -> Text,
        status -> Text,
        message_th -> Text,
        message_en -> Text,
        details -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        resolved_at -> Nullable<Timestamptz>,
        resolution -> Nullable<Text>,
    }
}

diesel::table! {
    allocation_adjustments (id) {
        id -> Int8,
        project_id -> Int4,
        kind -> Text,
        amount -> Numeric,
        effective_on -> Date,
        reason -> Text,
        transfer_id -> Nullable<Int8>,
        created_by -> Nullable<Int8>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Int8,
        user_id -> Int8,
        token_hash -> Text,
        kind -> Text,
        label -> Text,
        csrf_secret -> Nullable<Text>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Int8,
        at -> Timestamptz,
        user_id -> Nullable<Int8>,
        request_id -> Nullable<Text>,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        prev_hash -> Text,
        hash -> Text,
        keyed -> Bool,
    }
}

diesel::table! {
    bureaus (id) {
        id -> Int4,
        code -> Text,
        name_th -> Text,
        name_en -> Text,
        head_email -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    cabinet_targets (fiscal_year, quarter, scope) {
        fiscal_year -> Int4,
        quarter -> Int2,
        scope -> Text,
        target_pct -> Numeric,
    }
}

diesel::table! {
    data_version (id) {
        id -> Bool,
        version -> Int8,
    }
}

diesel::table! {
    delivery_attempts (id) {
        id -> Int8,
        outbox_id -> Int8,
        at -> Timestamptz,
        ok -> Bool,
        error -> Nullable<Text>,
        duration_ms -> Int4,
    }
}

diesel::table! {
    feedback (id) {
        id -> Int8,
        fiscal_year -> Nullable<Int4>,
        author_id -> Nullable<Int8>,
        author_name -> Text,
        body -> Text,
        status -> Text,
        response -> Nullable<Text>,
        responded_by -> Nullable<Int8>,
        responded_at -> Nullable<Timestamptz>,
        published -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    fiscal_years (id) {
        id -> Int4,
        starts_on -> Date,
        ends_on -> Date,
        due_day -> Int2,
        warn_lag_pp -> Numeric,
        critical_lag_pp -> Numeric,
        ledger_tolerance_pct -> Numeric,
        plan_published -> Bool,
        created_at -> Timestamptz,
        carry_over_until -> Nullable<Date>,
    }
}

diesel::table! {
    follow_ups (id) {
        id -> Int8,
        alert_id -> Int8,
        bureau_id -> Nullable<Int4>,
        ordered_by -> Int8,
        instruction -> Text,
        due_on -> Date,
        status -> Text,
        response -> Nullable<Text>,
        responded_by -> Nullable<Int8>,
        responded_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    holidays (day) {
        day -> Date,
        name_th -> Text,
        name_en -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Int8,
        key -> Text,
        request_sha256 -> Text,
        status -> Int2,
        etag -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    kpi_levels (fiscal_year, level) {
        fiscal_year -> Int4,
        level -> Int2,
        threshold_pct -> Numeric,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> Int8,
        fiscal_year -> Int4,
        bureau_id -> Int4,
        project_id -> Int4,
        entry_date -> Date,
        kind -> Text,
        amount -> Numeric,
        document_no -> Text,
        import_id -> Nullable<Int8>,
        created_at -> Timestamptz,
        reference -> Nullable<Text>,
        refers_to -> Nullable<Int8>,
        d_effect -> Numeric,
        c_effect -> Numeric,
    }
}

diesel::table! {
    ledger_imports (id) {
        id -> Int8,
        filename -> Text,
        sha256 -> Text,
        row_count -> Int4,
        imported_by -> Nullable<Int8>,
        imported_at -> Timestamptz,
        format -> Text,
        outcome -> Text,
        rows_added -> Int4,
        rows_present -> Int4,
        error_count -> Int4,
        errors -> Jsonb,
    }
}

diesel::table! {
    month_lock_events (id) {
        id -> Int8,
        fiscal_year -> Int4,
        month -> Int2,
        action -> Text,
        reason -> Text,
        user_id -> Nullable<Int8>,
        at -> Timestamptz,
    }
}

diesel::table! {
    month_locks (fiscal_year, month) {
        fiscal_year -> Int4,
        month -> Int2,
        locked_at -> Timestamptz,
    }
}

diesel::table! {
    month_totals (fiscal_year, month, bureau_id, category, economic_class) {
        fiscal_year -> Int4,
        month -> Int2,
        bureau_id -> Int4,
        category -> Text,
        economic_class -> Text,
        projects -> Int4,
        allocation -> Numeric,
        allocation_year -> Numeric,
        planned_cum -> Numeric,
        planned_year -> Numeric,
        disbursed_cum -> Numeric,
        committed -> Numeric,
        forecast_used -> Numeric,
        best_used -> Numeric,
        reported_min -> Int2,
        reported_max -> Int2,
    }
}

diesel::table! {
    monthly_plans (project_id, month) {
        project_id -> Int4,
        month -> Int2,
        planned -> Numeric,
    }
}

diesel::table! {
    outbox (id) {
        id -> Int8,
        message_id -> Text,
        channel -> Text,
        recipient -> Text,
        subject -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    project_months (project_id, month) {
        project_id -> Int4,
        month -> Int2,
        fiscal_year -> Int4,
        bureau_id -> Int4,
        allocation -> Numeric,
        allocation_year -> Numeric,
        planned_cum -> Numeric,
        planned_year -> Numeric,
        disbursed_cum -> Numeric,
        committed -> Numeric,
        reported_month -> Int2,
        forecast_used -> Numeric,
        best_used -> Numeric,
    }
}

diesel::table! {
    projects (id) {
        id -> Int4,
        fiscal_year -> Int4,
        bureau_id -> Int4,
        code -> Text,
        name_th -> Text,
        name_en -> Text,
        plan_name -> Text,
        category -> Text,
        allocation -> Numeric,
        created_at -> Timestamptz,
        economic_class -> Text,
    }
}

diesel::table! {
    report_lines (revision_id, project_id) {
        revision_id -> Int8,
        project_id -> Int4,
        bureau_id -> Int4,
        fiscal_year -> Int4,
        disbursed -> Numeric,
        committed -> Numeric,
    }
}

diesel::table! {
    report_revisions (id) {
        id -> Int8,
        report_id -> Int8,
        bureau_id -> Int4,
        fiscal_year -> Int4,
        revision -> Int4,
        status -> Text,
        obstacles -> Text,
        limitations -> Text,
        suggestions -> Text,
        created_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        submitted_at -> Nullable<Timestamptz>,
        on_time -> Nullable<Bool>,
    }
}

diesel::table! {
    reports (id) {
        id -> Int8,
        bureau_id -> Int4,
        fiscal_year -> Int4,
        month -> Int2,
        latest_revision -> Int4,
        submitted_revision_id -> Nullable<Int8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    revision_rollups (revision_id, category) {
        revision_id -> Int8,
        category -> Text,
        disbursed -> Numeric,
        committed -> Numeric,
    }
}

diesel::table! {
    sign_in_attempts (id) {
        id -> Int8,
        username -> Text,
        remote_addr -> Text,
        ok -> Bool,
        at -> Timestamptz,
    }
}

diesel::table! {
    user_bureaus (user_id, bureau_id) {
        user_id -> Int8,
        bureau_id -> Int4,
    }
}

diesel::table! {
    user_roles (user_id, role) {
        user_id -> Int8,
        role -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Int8,
        username -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        password_hash -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        deactivated_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(alert_events -> alerts (alert_id));
diesel::joinable!(alert_events -> users (user_id));
diesel::joinable!(alerts -> bureaus (bureau_id));
diesel::joinable!(alerts -> fiscal_years (fiscal_year));
diesel::joinable!(alerts -> projects (project_id));
diesel::joinable!(allocation_adjustments -> projects (project_id));
diesel::joinable!(allocation_adjustments -> users (created_by));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(audit_events -> users (user_id));
diesel::joinable!(cabinet_targets -> fiscal_years (fiscal_year));
diesel::joinable!(delivery_attempts -> outbox (outbox_id));
diesel::joinable!(feedback -> fiscal_years (fiscal_year));
diesel::joinable!(follow_ups -> alerts (alert_id));
diesel::joinable!(follow_ups -> bureaus (bureau_id));
diesel::joinable!(idempotency_keys -> users (user_id));
diesel::joinable!(kpi_levels -> fiscal_years (fiscal_year));
diesel::joinable!(ledger_entries -> bureaus (bureau_id));
diesel::joinable!(ledger_entries -> fiscal_years (fiscal_year));
diesel::joinable!(ledger_entries -> ledger_imports (import_id));
diesel::joinable!(ledger_imports -> users (imported_by));
diesel::joinable!(month_lock_events -> fiscal_years (fiscal_year));
diesel::joinable!(month_lock_events -> users (user_id));
diesel::joinable!(month_locks -> fiscal_years (fiscal_year));
diesel::joinable!(month_totals -> bureaus (bureau_id));
diesel::joinable!(monthly_plans -> projects (project_id));
diesel::joinable!(project_months -> projects (project_id));
diesel::joinable!(projects -> bureaus (bureau_id));
diesel::joinable!(projects -> fiscal_years (fiscal_year));
diesel::joinable!(report_revisions -> users (created_by));
diesel::joinable!(reports -> bureaus (bureau_id));
diesel::joinable!(reports -> fiscal_years (fiscal_year));
diesel::joinable!(revision_rollups -> report_revisions (revision_id));
diesel::joinable!(user_bureaus -> bureaus (bureau_id));
diesel::joinable!(user_bureaus -> users (user_id));
diesel::joinable!(user_roles -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    alert_events,
    alerts,
    allocation_adjustments,
    api_tokens,
    audit_events,
    bureaus,
    cabinet_targets,
    data_version,
    delivery_attempts,
    feedback,
    fiscal_years,
    follow_ups,
    holidays,
    idempotency_keys,
    kpi_levels,
    ledger_entries,
    ledger_imports,
    month_lock_events,
    month_locks,
    month_totals,
    monthly_plans,
    outbox,
    project_months,
    projects,
    report_lines,
    report_revisions,
    reports,
    revision_rollups,
    sign_in_attempts,
    user_bureaus,
    user_roles,
    users,
);
