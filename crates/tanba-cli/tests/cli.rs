//! The `tanba` binary end to end: real process, real files, exit statuses and JSON output.

use std::{
    io::Write,
    path::Path,
    process::{Command, Output, Stdio},
};

fn tanba(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tanba"))
        .args(args)
        .output()
        .unwrap()
}

fn tanba_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tanba"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn parse_reports_fields_and_exit_status() {
    let output = tanba(&[
        "code",
        "parse",
        "]d201048700000000052112345ABCDEFGH\u{1d}93AbC1",
    ]);
    assert!(output.status.success());
    let value = json(&output);
    assert_eq!(value["valid"], true);
    assert_eq!(value["form"], "scan-data");
    assert_eq!(value["gtin"], "04870000000005");
    assert_eq!(value["serial"], "12345ABCDEFGH");
    assert_eq!(value["tail"]["profile"], "short");
    assert_eq!(value["elements"][0]["title"], "GTIN");

    let output = tanba(&["--lang", "ru", "code", "parse", "(01)04870000000006(21)X"]);
    assert_eq!(output.status.code(), Some(1));
    let value = json(&output);
    assert_eq!(value["valid"], false);
    assert_eq!(
        value["errors"][0]["code"],
        "TANBA-GS1-LINT-INCORRECT-CHECK-DIGIT"
    );
    assert_eq!(value["errors"][0]["ai"], "01");
    assert!(
        value["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Неверная контрольная цифра AI (01)")
    );
}

#[test]
fn parse_reads_codes_from_stdin() {
    let input = "(01)04870000000005(21)A\nnot a code\nhttps://x.kz/01/04870000000005/21/B\n";
    let output = tanba_stdin(&["code", "parse", "-"], input);
    assert_eq!(
        output.status.code(),
        Some(1),
        "one invalid line makes the run invalid"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let valid: Vec<bool> = lines
        .iter()
        .map(|l| l["valid"].as_bool().unwrap())
        .collect();
    assert_eq!(valid, [true, false, true]);
}

#[test]
fn format_converts_between_forms() {
    let output = tanba(&[
        "code",
        "format",
        "(01)04870000000005(21)AB/C",
        "--as",
        "digital-link=https://tanba.kz",
    ]);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        "https://tanba.kz/01/04870000000005/21/AB%2FC"
    );
    let output = tanba(&[
        "code",
        "format",
        "https://a.kz/01/04870000000005/21/X",
        "--as",
        "raw",
    ]);
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        "010487000000000521X"
    );
}

fn keys_in(dir: &Path) -> String {
    let keys = dir.join("keys.ring");
    let output = tanba(&["keys", "generate", "--keys", keys.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    keys.to_str().unwrap().to_owned()
}

#[test]
fn sign_then_verify_offline_and_refuse_forgeries() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_in(dir.path());
    let public = dir.path().join("public.json");
    let output = tanba(&[
        "keys",
        "export-public",
        "--keys",
        &keys,
        "--out",
        public.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    let public_json = std::fs::read_to_string(&public).unwrap();
    assert!(
        !public_json.contains("secret"),
        "the public set holds no secrets"
    );

    let output = tanba(&[
        "code",
        "sign",
        "4870000000005",
        "--serials",
        "20",
        "--keys",
        &keys,
        "--as",
        "raw",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let codes = String::from_utf8(output.stdout).unwrap();
    assert_eq!(codes.lines().count(), 20);
    let serials: std::collections::HashSet<&str> =
        codes.lines().map(|line| &line[18..31]).collect();
    assert_eq!(serials.len(), 20, "serials are distinct");

    let output = tanba_stdin(
        &[
            "code",
            "verify",
            "-",
            "--public-keys",
            public.to_str().unwrap(),
        ],
        &codes,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    // One changed character in the signature: refused with a stable code.
    let first = codes.lines().next().unwrap();
    let mut forged: Vec<char> = first.chars().collect();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    let output = tanba(&[
        "code",
        "verify",
        &forged,
        "--public-keys",
        public.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let value = json(&output);
    assert_eq!(value["genuine"], false);
    let code = value["errors"][0]["code"].as_str().unwrap();
    assert!(code == "TANBA-CRYPTO-BAD-SIGNATURE" || code == "TANBA-CRYPTO-MALFORMED-SIGNATURE");
}

#[test]
fn short_tails_need_the_ring() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_in(dir.path());
    let output = tanba(&[
        "code",
        "sign",
        "04870000000012",
        "--serials",
        "3",
        "--profile",
        "short",
        "--keys",
        &keys,
    ]);
    assert!(output.status.success());
    let codes = String::from_utf8(output.stdout).unwrap();
    let output = tanba_stdin(&["code", "verify", "-", "--keys", &keys], &codes);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let public = dir.path().join("public.json");
    tanba(&[
        "keys",
        "export-public",
        "--keys",
        &keys,
        "--out",
        public.to_str().unwrap(),
    ]);
    let first = codes.lines().next().unwrap();
    let output = tanba(&[
        "code",
        "verify",
        first,
        "--public-keys",
        public.to_str().unwrap(),
    ]);
    assert_eq!(
        json(&output)["errors"][0]["code"],
        "TANBA-CODE-SHORT-TAIL-NEEDS-RING"
    );
}

#[cfg(unix)]
#[test]
fn key_ring_is_private_and_rotation_keeps_old_codes_verifying() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_in(dir.path());
    let mode = std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(
        !tanba(&["keys", "generate", "--keys", &keys])
            .status
            .success(),
        "no overwrite"
    );

    let old = String::from_utf8(tanba(&["code", "sign", "04870000000005", "--keys", &keys]).stdout)
        .unwrap();
    assert!(tanba(&["keys", "rotate", "--keys", &keys]).status.success());
    let listed = json(&tanba(&["keys", "list", "--keys", &keys]));
    let statuses: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|key| key["kind"] == "signing")
        .map(|key| key["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["retired", "active"]);
    let output = tanba(&["code", "verify", old.trim(), "--keys", &keys]);
    assert!(output.status.success(), "a retired key still verifies");

    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = tanba(&["keys", "list", "--keys", &keys]);
    assert!(!output.status.success(), "a world-readable ring is refused");
}

#[test]
fn exit_status_two_when_the_command_cannot_run() {
    let output = tanba(&[
        "code",
        "sign",
        "04870000000005",
        "--keys",
        "/nonexistent/ops.ring",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TANBA-CRYPTO-KEY-FILE-IO"), "{stderr}");
    assert!(
        stderr.contains("No such file"),
        "the OS reason is kept: {stderr}"
    );

    let output = tanba(&[
        "code",
        "format",
        "(01)04870000000005(21)A",
        "--as",
        "digital-link=ftp://x",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn overlong_stdin_lines_are_refused_with_bounded_memory() {
    let long = format!(
        "(01)04870000000005(21){}\n(01)04870000000005(21)A\n",
        "A".repeat(1_000_000)
    );
    let output = tanba_stdin(&["--lang", "kk", "code", "parse", "-"], &long);
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        2,
        "the long line is one report, the next line is read as usual"
    );
    assert_eq!(lines[0]["errors"][0]["code"], "TANBA-GS1-INPUT-TOO-LONG");
    assert_eq!(lines[0]["valid"], false);
    assert_eq!(lines[1]["valid"], true);
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tanba"))
        .args(["code", "parse", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before the first line is written
    let input = "(01)04870000000005(21)A\n".repeat(10_000);
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn partial_tails_have_their_own_code() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_in(dir.path());
    let output = tanba(&[
        "code",
        "verify",
        "(01)04870000000005(21)ABC(91)EE06",
        "--keys",
        &keys,
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        json(&output)["errors"][0]["code"],
        "TANBA-CODE-MALFORMED-TAIL"
    );
}

#[test]
fn calendar_due_prints_a_term_s_end_under_the_start_calendar() {
    // Friday 20 March 2026, 16:30: Nauryz (21-23) and its days off (24-25) are not counted.
    let output = tanba(&[
        "calendar",
        "due",
        "--from",
        "2026-03-20T16:30+05:00",
        "--working-days",
        "3",
    ]);
    assert!(output.status.success());
    let answer = json(&output);
    assert_eq!(answer["start_day"], "2026-03-20");
    assert_eq!(answer["due"], "2026-03-30T18:30:00+05:00");
    assert_eq!(answer["calendar_version"], 1);
    assert_eq!(answer["listed_days_crossed"].as_array().unwrap().len(), 3);
    // Received after 17:00: registered on the next working day, the 26th.
    let output = tanba(&[
        "calendar",
        "due",
        "--from",
        "2026-03-20T17:05+05:00",
        "--working-days",
        "3",
        "--intake",
    ]);
    let answer = json(&output);
    assert_eq!(answer["registered_on"], "2026-03-26");
    assert_eq!(answer["due"], "2026-03-31T18:30:00+05:00");
    // Calendar days end at midnight after the last one, holiday or not.
    let output = tanba(&[
        "calendar",
        "due",
        "--from",
        "2026-03-20T16:30+05:00",
        "--calendar-days",
        "3",
    ]);
    assert_eq!(json(&output)["due"], "2026-03-24T00:00:00+05:00");
}

#[test]
fn calendar_due_past_the_years_covered_is_refused_in_the_asked_language() {
    let output = tanba(&[
        "--lang",
        "ru",
        "calendar",
        "due",
        "--from",
        "2026-12-29T10:00+05:00",
        "--working-days",
        "3",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let answer = json(&output);
    assert_eq!(answer["error"]["code"], "TANBA-CALENDAR-NOT-COVERED");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("Календарь рабочих дней"), "{message}");
    // A moment without its offset is not guessed.
    let output = tanba(&[
        "calendar",
        "due",
        "--from",
        "2026-03-20T16:30",
        "--working-days",
        "3",
    ]);
    assert_eq!(output.status.code(), Some(2));
}
