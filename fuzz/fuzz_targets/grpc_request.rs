//! Any protobuf message, with or without a token, to every method of every Tanba gRPC service,
//! through the gate, tonic's decoding (message limits included) and the handler's conversions
//! and rules: never a panic, never INTERNAL or UNKNOWN. The first byte picks the method, the
//! second the caller (anonymous or one of the signed-in cast); the rest is the message.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [method, caller, message @ ..] = data else {
        return;
    };
    let door = tanba_fuzz::door();
    let methods = tanba_fuzz::grpc_methods();
    let path = &methods[usize::from(*method) % methods.len()];
    door.grpc(path, message, door.caller(*caller));
});
