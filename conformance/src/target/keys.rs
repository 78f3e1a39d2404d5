//! The further keys a user hands the suite (`--key NAME=KEY`) so the
//! 401/403 checks run against a live endpoint; none is ever shown.

/// The further keys a user can hand the suite (`--key NAME=KEY`), so the
/// 401/403 checks run against a live endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyRole {
    /// `publish-only`: may publish, not subscribe.
    PublishOnly,
    /// `subscribe-only`: may subscribe, not publish.
    SubscribeOnly,
    /// `other-cache`: valid, but for another cache only.
    OtherCache,
    /// `expired`: once valid, now expired.
    Expired,
}

impl KeyRole {
    /// Every role, in `--key` order.
    pub const ALL: [KeyRole; 4] = [
        KeyRole::PublishOnly,
        KeyRole::SubscribeOnly,
        KeyRole::OtherCache,
        KeyRole::Expired,
    ];

    /// The name used with `--key NAME=KEY`.
    pub fn name(self) -> &'static str {
        match self {
            KeyRole::PublishOnly => "publish-only",
            KeyRole::SubscribeOnly => "subscribe-only",
            KeyRole::OtherCache => "other-cache",
            KeyRole::Expired => "expired",
        }
    }

    /// Parse `NAME=KEY`.
    pub fn parse_arg(arg: &str) -> Result<KeyArg, String> {
        let (name, key) = arg.split_once('=').ok_or_else(|| {
            format!(
                "--key wants NAME=KEY, got {} characters without '=' (not shown: it may be a key)",
                arg.chars().count()
            )
        })?;
        let role = KeyRole::ALL
            .into_iter()
            .find(|r| r.name() == name)
            .ok_or_else(|| {
                format!(
                    "unknown key name {name:?}; use one of {}",
                    KeyRole::ALL.map(KeyRole::name).join(", ")
                )
            })?;
        if key.is_empty() {
            return Err(format!("--key {name}= has no key"));
        }
        Ok(KeyArg {
            role,
            key: key.to_owned(),
        })
    }
}

/// One `--key NAME=KEY`; its Debug output never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyArg {
    /// Which key it is.
    pub role: KeyRole,
    /// The key itself.
    pub key: String,
}

impl std::fmt::Debug for KeyArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyArg({}=…)", self.role.name())
    }
}

#[cfg(test)]
mod tests {
    use super::KeyRole;

    #[test]
    fn key_arguments_name_the_role_and_never_show_the_key() {
        let k = KeyRole::parse_arg("subscribe-only=s3cr3t").unwrap();
        assert_eq!(k.role, KeyRole::SubscribeOnly);
        assert_eq!(k.key, "s3cr3t");
        assert!(!format!("{k:?}").contains("s3cr3t"));
        let e = KeyRole::parse_arg("admin=s3cr3t-and-more-than-sixteen").unwrap_err();
        assert!(
            e.contains("publish-only, subscribe-only, other-cache, expired"),
            "{e}"
        );
        let e = KeyRole::parse_arg("s3cr3t").unwrap_err();
        assert!(!e.contains("s3c"), "{e}");
    }
}
