//! `tanba snapshot`: the snapshots a node writes (`TANBA_SNAPSHOT_DIR`), listed, and one made
//! the store of a new data directory (deploy/RUNBOOK.md, "Backup and restore").

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use tanba_server::snapshots;

/// What to do with snapshots.
#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// The whole snapshots in a snapshot directory, oldest first: path, log head, cursor.
    List {
        /// The snapshot directory.
        directory: PathBuf,
    },
    /// Make a snapshot the store of a data directory that holds none: it is copied, its chain
    /// verified up to the head its manifest names, and only then put in place.
    Restore {
        /// The snapshot (one directory of the snapshot directory).
        snapshot: PathBuf,
        /// The data directory to serve from afterwards.
        #[arg(long)]
        data: PathBuf,
        /// Also replay the snapshot's log into a scratch store and check that the state it
        /// makes is the snapshot's, byte for byte (as long as a replay takes: `tanba bench`'s
        /// `replay` figure).
        #[arg(long)]
        verify_state: bool,
        /// The name of the node of a cluster that will serve from it (as its `--node-name`
        /// says), if not kept in the data directory: the snapshot's audit trail stays its own
        /// only when the snapshot is that node's.
        #[arg(long, env = "TANBA_NODE_NAME")]
        node_name: Option<String>,
    },
}

/// Runs a snapshot command.
pub fn run(command: SnapshotCommand) -> anyhow::Result<ExitCode> {
    match command {
        SnapshotCommand::List { directory } => {
            for path in snapshots::snapshots(&directory)? {
                let manifest = snapshots::read_manifest(&path)?;
                println!(
                    "{}\thead {}\t{}\tposition {}/{}",
                    path.display(),
                    manifest.sequence,
                    manifest.head_hash,
                    manifest.position,
                    manifest.commands
                );
            }
        }
        SnapshotCommand::Restore {
            snapshot,
            data,
            verify_state,
            node_name,
        } => {
            let node = (node_name.as_deref())
                .map(tanba_engine::heads::NodeName::parse)
                .transpose()
                .context("--node-name")?;
            let restored = snapshots::restore(&snapshot, &data, verify_state, node.as_ref());
            let manifest = restored.with_context(|| {
                format!("restoring {} into {}", snapshot.display(), data.display())
            })?;
            println!(
                "restored log head {} ({}) into {}; a node of a cluster reads on from position {}",
                manifest.sequence,
                manifest.head_hash,
                data.display(),
                manifest.position
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
