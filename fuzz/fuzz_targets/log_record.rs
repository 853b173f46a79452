//! What a feed's follower reads from the network or a saved file: any bytes as a log record must
//! decode or fail with a `LogError`, never panic, and a record that decodes encodes back to bytes
//! that decode to the same record, and its time read alone is its time; any text as a feed line
//! must parse into an item or be refused; any text as an EAEU taxpayer number is checked without
//! panicking. Any bytes as a batch of the command log (what a node reads from the shared stream)
//! decode or are corrupt, and a batch that decodes is written again to one that decodes the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(record) = tanba_log::decode(data) {
        let bytes = tanba_log::encode(&record);
        let again = tanba_log::decode(&bytes).expect("an encoded record decodes");
        assert_eq!(again, record);
        assert_eq!(tanba_log::encode(&again), bytes, "one byte form per record");
        let time_ms = tanba_log::decode_time(data).expect("a record's time decodes");
        assert_eq!(time_ms, record.time_ms, "a record's time alone is its time");
        let _ = tanba_log::kinds_of(&record.event);
    }
    let _ = tanba_log::decode_message(data);
    if let Ok(commands) = tanba_engine::command_log::decode_batch(data) {
        let mut writer = tanba_engine::command_log::BatchWriter::default();
        for command in &commands {
            writer.push(command).expect("what fitted one batch fits another");
        }
        let again = tanba_engine::command_log::decode_batch(&writer.finish());
        assert_eq!(again.expect("a written batch decodes"), commands);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for state in tanba_types::EaeuState::ALL {
        let _ = state.checks_taxpayer(text);
    }
    if let Ok(line) = serde_json::from_str::<tanba_proto::feed::FeedLine>(text)
        && let Ok(item) = tanba_proto::feed::item_of(&line)
    {
        let _ = tanba_proto::feed::line_of(&item);
    }
});
