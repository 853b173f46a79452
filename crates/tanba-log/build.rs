//! Compiles `proto/tanba/log/v1/record.proto` with protox (no system protoc) into prost messages,
//! and generates their proto3 JSON mapping with pbjson (the feeds' newline-delimited JSON twin:
//! field names in lowerCamelCase, enums by name, bytes as base64, 64-bit integers as strings).

use std::path::PathBuf;

use prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest.join("../../proto");
    let file = root.join("tanba/log/v1/record.proto");
    println!("cargo:rerun-if-changed={}", file.display());
    let mut compiler = protox::Compiler::new([&root])?;
    compiler.include_source_info(true).include_imports(true);
    compiler.open_files([&file])?;
    let descriptors = compiler.file_descriptor_set();
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let descriptor_path = out.join("tanba_log_descriptor.bin");
    let descriptor_bytes = descriptors.encode_to_vec();
    std::fs::write(&descriptor_path, &descriptor_bytes)?;
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(false)
        .file_descriptor_set_path(&descriptor_path)
        .skip_protoc_run()
        .compile_protos(&[file], &[root])?;
    pbjson_build::Builder::new()
        .register_descriptors(&descriptor_bytes)?
        .build(&[".tanba.log.v1"])?;
    Ok(())
}
