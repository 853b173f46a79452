//! Compiles `proto/tanba/v1/*.proto` with protox (a protobuf compiler in Rust: no system protoc
//! to install) and generates the messages and the tonic clients and servers from its
//! descriptor set, which is also kept for gRPC server reflection.

use std::path::PathBuf;

use prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest.join("../../proto");
    let directory = root.join("tanba/v1");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&directory)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|path| {
        path.extension()
            .is_some_and(|extension| extension == "proto")
    });
    // A fixed order: the generated code and the descriptor set do not depend on the directory.
    files.sort();
    println!("cargo:rerun-if-changed={}", directory.display());
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let mut compiler = protox::Compiler::new([&root])?;
    // Comments travel with the descriptors: reflection shows them, and a test checks every
    // service, method, message and field has one.
    compiler.include_source_info(true).include_imports(true);
    compiler.open_files(&files)?;
    let descriptors = compiler.file_descriptor_set();
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let descriptor_path = out.join("tanba_descriptor.bin");
    std::fs::write(&descriptor_path, descriptors.encode_to_vec())?;
    // Every message serializes to JSON (the CLI's `--format json|table`), enums by their proto
    // names and bytes as hex, so that what a person reads is what the contract says.
    let mut builder = tonic_prost_build::configure()
        // Clients are built over any channel the caller makes (`Client::new`): this crate
        // stays free of tonic's transport stack.
        .build_transport(false)
        .type_attribute(".tanba.v1", "#[derive(serde::Serialize)]");
    for (field, function) in [
        ("tanba.v1.ViolationReportRecord.kind", "violation_kind"),
        ("tanba.v1.CodeCard.level", "package_level"),
        ("tanba.v1.CodeCard.status", "code_status"),
        ("tanba.v1.CodeCard.withdrawal_reason", "withdrawal_reason"),
        ("tanba.v1.Document.state", "document_state"),
        ("tanba.v1.CheckResponse.verdict", "verdict"),
        ("tanba.v1.Participant.roles", "roles"),
        ("tanba.v1.ParticipantKey.public_key", "hex"),
        ("tanba.v1.Product.level", "package_level"),
        ("tanba.v1.SaleCheck.status", "code_status"),
        ("tanba.v1.GetChallengeResponse.challenge", "hex"),
        ("tanba.v1.FeedEntry.record", "hex"),
        ("tanba.v1.FeedEntry.chain_hash", "hex"),
        ("tanba.v1.FeedEntry.record_digest", "hex"),
    ] {
        builder = builder.field_attribute(
            field,
            format!("#[serde(serialize_with = \"crate::json::{function}\")]"),
        );
    }
    builder
        // A feed's entries are read out of the received buffer without a copy each.
        .bytes(".tanba.v1.FeedEntry")
        .file_descriptor_set_path(&descriptor_path)
        .skip_protoc_run()
        .compile_protos(&files, &[root])?;
    Ok(())
}
