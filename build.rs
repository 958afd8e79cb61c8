//! Generates the gRPC code of `proto/paxscreen/v1` without a system `protoc`: `protox` compiles
//! the .proto files to a descriptor set (also written to `OUT_DIR` for server reflection), and
//! `tonic-prost-build` generates messages, clients and servers from it.

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "proto/paxscreen/v1/common.proto",
    "proto/paxscreen/v1/screening.proto",
    "proto/paxscreen/v1/watchlist.proto",
    "proto/paxscreen/v1/alerts.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let mut compiler = protox::Compiler::new(["proto"])?;
    compiler.include_source_info(true).include_imports(true);
    compiler.open_files(PROTOS)?;
    std::fs::write(
        out.join("paxscreen_descriptor.bin"),
        compiler.encode_file_descriptor_set(),
    )?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(compiler.file_descriptor_set())?;
    Ok(())
}
