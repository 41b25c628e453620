//! How Peerdesk reaches a router's CLI once logged in: the control command
//! (`vtysh`, `birdc -s /run/bird/bird.ctl`) and the BIRD peers folder, both
//! stored strings that a form or an inventory file may have supplied.
//!
//! Steps: a control command is read as words by a strict grammar (letters,
//! digits and `_ . / : = @ % + , -` only, so no shell metacharacter, quote or
//! space can hide inside a word); a peers folder is an absolute path of plain
//! segments (no `.`/`..`, no metacharacters). Both are checked when stored and
//! again when used, and the command line sent to the router's shell is built
//! from the words with every one of them quoted — a stored string is never
//! pasted into a command.

use crate::error::{Error, Result};

/// Most words a control command may have, and its longest text.
const MAX_WORDS: usize = 16;
const MAX_LEN: usize = 300;

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c)
}

/// The words of a control command; empty when the login shell is the CLI.
pub(crate) fn control_words(text: &str, field: &'static str) -> Result<Vec<String>> {
    let t = text.trim();
    if t.len() > MAX_LEN {
        return Err(Error::invalid(
            field,
            format!("too long: at most {MAX_LEN} characters"),
        ));
    }
    if let Some(c) = t.chars().find(|c| c.is_control()) {
        return Err(Error::invalid(
            field,
            format!(
                "'{}' is not allowed: one line, words separated by spaces",
                c.escape_default()
            ),
        ));
    }
    let words: Vec<String> = t
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if words.len() > MAX_WORDS {
        return Err(Error::invalid(field, format!("at most {MAX_WORDS} words")));
    }
    if let Some(bad) = words
        .iter()
        .flat_map(|w| w.chars())
        .find(|c| !word_char(*c))
    {
        return Err(Error::invalid(
            field,
            format!(
                "'{}' is not allowed: a program and its options, such as vtysh or birdc -s /run/bird/bird.ctl (letters, digits and _ . / : = @ % + , - only)",
                bad.escape_default()
            ),
        ));
    }
    if words.first().is_some_and(|w| w.starts_with('-')) {
        return Err(Error::invalid(
            field,
            "start with the program, such as vtysh or /usr/sbin/birdc",
        ));
    }
    Ok(words)
}

/// The control command in its stored form: its words joined by one space.
pub(crate) fn control_command(text: &str, field: &'static str) -> Result<String> {
    Ok(control_words(text, field)?.join(" "))
}

/// BIRD's peers folder: an absolute path of plain segments, stored without a
/// trailing slash; empty for the default.
pub(crate) fn config_dir(text: &str, field: &'static str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    if t.len() > 1024 || !t.starts_with('/') {
        return Err(Error::invalid(
            field,
            "an absolute path such as /etc/bird/peers",
        ));
    }
    let segments: Vec<&str> = t[1..].split('/').filter(|s| !s.is_empty()).collect();
    let plain = |s: &&str| {
        *s != "."
            && *s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.@+-".contains(c))
    };
    if segments.is_empty() || !segments.iter().all(plain) {
        return Err(Error::invalid(
            field,
            "an absolute path of plain folder names (letters, digits and _ . @ + -), such as /etc/bird/peers",
        ));
    }
    Ok(format!("/{}", segments.join("/")))
}

/// One word for a POSIX shell, inside single quotes.
pub(crate) fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The command line that runs `args` through the control command: the stored
/// command read again by [`control_words`] (a value changed behind Peerdesk's
/// back is refused, not run), then every word quoted.
pub(crate) fn command_line(control: &str, args: &[&str]) -> Result<String> {
    let words = control_words(control, "controlCommand").map_err(|e| Error::Invalid {
        field: Some("controlCommand"),
        message: format!("the router's control command cannot be used: {e}"),
    })?;
    Ok(words
        .iter()
        .map(String::as_str)
        .chain(args.iter().copied())
        .map(shell_quote)
        .collect::<Vec<_>>()
        .join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_commands_are_program_and_plain_option_words() {
        assert_eq!(control_words("", "c").unwrap(), Vec::<String>::new());
        assert_eq!(
            control_command("  /usr/sbin/birdc   -s /run/bird/bird.ctl ", "c").unwrap(),
            "/usr/sbin/birdc -s /run/bird/bird.ctl"
        );
        assert!(control_command("vtysh --vty_socket=/run/frr", "c").is_ok());
        for bad in [
            "birdc; rm -rf /",
            "birdc && reboot",
            "birdc | tee /tmp/x",
            "birdc $(id)",
            "birdc `id`",
            "birdc -s '/run/x'",
            "birdc -s \"/run/x\"",
            "birdc > /etc/passwd",
            "birdc\nreboot",
            "birdc ~/x",
            "birdc *",
            "birdc #",
            "-c birdc",
            "birdc\\ x",
        ] {
            assert!(control_command(bad, "c").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn peers_folders_are_absolute_plain_paths() {
        assert_eq!(
            config_dir("/etc/bird/peers/", "d").unwrap(),
            "/etc/bird/peers"
        );
        assert_eq!(config_dir("", "d").unwrap(), "");
        for bad in [
            "etc/bird",
            "/etc/../root",
            "/etc/./x",
            "/etc/bird peers",
            "/etc/$(id)",
            "/etc/bird;x",
            "/",
            "/etc/bi\nrd",
        ] {
            assert!(config_dir(bad, "d").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn shell_quoting_survives_single_quotes() {
        assert_eq!(shell_quote("a'b"), "'a'\\''b'");
    }

    #[test]
    fn every_word_of_the_command_line_is_quoted() {
        assert_eq!(
            command_line("/usr/sbin/birdc -s /run/b.ctl", &["show protocols all"]).unwrap(),
            "'/usr/sbin/birdc' '-s' '/run/b.ctl' 'show protocols all'"
        );
        assert_eq!(
            command_line("vtysh", &["-c", "it's\nend"]).unwrap(),
            "'vtysh' '-c' 'it'\\''s\nend'"
        );
        let e = command_line("birdc; reboot", &["show status"]).unwrap_err();
        assert!(e.to_string().contains("control command"), "{e}");
    }
}
