//! Phone numbers and e-mail addresses as the business accepts them.

/// Normalises an Indian mobile number to `+91XXXXXXXXXX`.
///
/// Accepts 10 digits starting 6-9, with an optional `+91`, `91` or `0` prefix; spaces, dashes,
/// dots and parentheses are ignored. Returns `None` for anything else.
///
/// ```
/// use earlybird::record::normalize_phone;
/// assert_eq!(normalize_phone("098765 43210").as_deref(), Some("+919876543210"));
/// assert_eq!(normalize_phone("+91-98765-43210").as_deref(), Some("+919876543210"));
/// assert_eq!(normalize_phone("5876543210"), None);
/// ```
pub fn normalize_phone(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let (plus, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let mut digits = String::with_capacity(12);
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let national = match (plus, digits.len()) {
        (true, 12) => digits.strip_prefix("91")?,
        (false, 12) => digits.strip_prefix("91")?,
        (false, 11) => digits.strip_prefix('0')?,
        (false, 10) => digits.as_str(),
        _ => return None,
    };
    let first = national.chars().next()?;
    if ('6'..='9').contains(&first) {
        Some(format!("+91{national}"))
    } else {
        None
    }
}

/// Whether an e-mail address is well formed: one `@`, a non-empty local part, a domain of
/// dot-separated labels with at least one dot, no spaces.
///
/// ```
/// use earlybird::record::valid_email;
/// assert!(valid_email("priya@example.in"));
/// assert!(!valid_email("priya@localhost"));
/// assert!(!valid_email("priya example.in"));
/// ```
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
        && domain.contains('.')
        && domain.split('.').all(label_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_prefixes_are_normalised() {
        for raw in [
            "9876543210",
            "+919876543210",
            "919876543210",
            "09876543210",
            "98765 43210",
        ] {
            assert_eq!(
                normalize_phone(raw).as_deref(),
                Some("+919876543210"),
                "{raw}"
            );
        }
    }

    #[test]
    fn phones_that_are_not_indian_mobiles_are_refused() {
        for raw in [
            "",
            "12345",
            "5876543210",
            "+9198765432",
            "+449876543210",
            "98765x3210",
            "0098765432",
        ] {
            assert_eq!(normalize_phone(raw), None, "{raw}");
        }
    }

    #[test]
    fn emails() {
        assert!(valid_email("a.b+milk@early-bird.co.in"));
        for bad in [
            "", "@x.in", "a@", "a@x", "a@@x.in", "a@x..in", "a b@x.in", "a@-x.in",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
