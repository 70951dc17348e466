//! Passwords: the policy (at least 10 characters, not the user name) and argon2id
//! hashing with a random salt. Only PHC hash strings are ever stored.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

pub const MIN_LENGTH: usize = 10;

/// Checks the policy; the error names what is wrong, never echoes the password.
pub fn check_policy(username: &str, password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_LENGTH {
        return Err(format!("must have at least {MIN_LENGTH} characters"));
    }
    if password.trim().to_lowercase() == username.to_lowercase() {
        return Err("must not be the user name".into());
    }
    Ok(())
}

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Constant-time verification against a stored PHC string; a malformed hash
/// verifies nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so that an unknown user
/// name costs the same time as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy-password-never-used").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_wants_ten_characters_and_not_the_user_name() {
        assert!(check_policy("somchai", "short").is_err());
        assert!(check_policy("somchai.k1", "Somchai.K1").is_err());
        assert!(check_policy("somchai", "ten-chars!").is_ok());
    }

    #[test]
    fn hashes_are_argon2id_and_verify_only_the_right_password() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse", &h));
        assert!(!verify("wrong horse!", &h));
        assert!(!verify("correct horse", "not a hash"));
    }
}
