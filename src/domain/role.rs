//! The roles of DOMAIN.md's table of people. A user may hold several; a reporter is
//! bound to one or more bureaus.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Strategy,
    Finance,
    Executive,
    SecretaryGeneral,
    Auditor,
    Reporter,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Strategy,
        Role::Finance,
        Role::Executive,
        Role::SecretaryGeneral,
        Role::Auditor,
        Role::Reporter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Strategy => "strategy",
            Role::Finance => "finance",
            Role::Executive => "executive",
            Role::SecretaryGeneral => "secretary_general",
            Role::Auditor => "auditor",
            Role::Reporter => "reporter",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| format!("{s:?} is not a role"))
    }
}
