"""``assetwatch evidence checkpoint|export|verify|rotate-key``: the evidence ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from assetwatch.cli.common import (
    DEFAULT_DATA_DIR,
    DatabaseUrl,
    DataDir,
    Tenant,
    console,
    err_console,
    open_data,
    scope_for,
)
from assetwatch.evidence import checkpoints
from assetwatch.evidence.bundle import export_bundle
from assetwatch.evidence.bundle_format import BundleUnreadable, load_bundle
from assetwatch.evidence.checkpoints import Checkpoint
from assetwatch.evidence.keys import Keyring, key_dir_of
from assetwatch.evidence.verify import verify_bundle
from assetwatch.pipeline.processor import now_ms
from assetwatch.tracking.service import iso, parse_time

app = typer.Typer(
    help="The evidence ledger: checkpoints, exports anyone can verify offline, key rotation.",
    no_args_is_help=True,
)


def _describe(checkpoint: Checkpoint) -> str:
    return (
        f"checkpoint of [bold]{escape(checkpoint.log)}[/]: {checkpoint.size} entries, root "
        f"{checkpoint.root}, {iso(checkpoint.time_ms)}, key {checkpoint.key_id}"
    )


@app.command()
def checkpoint(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
    all_tenants: Annotated[
        bool, typer.Option("--all", help="every tenant whose log grew since its last one")
    ] = False,
) -> None:
    """Sign a checkpoint of the tenant's log now."""
    engine = open_data(data_dir, database_url)
    keyring = Keyring(key_dir_of(data_dir))
    if all_tenants:
        made = checkpoints.checkpoint_all(engine, keyring, now_ms=now_ms())
    else:
        scope = scope_for(engine, tenant)
        made = [checkpoints.checkpoint_now(engine, keyring, scope.tenant_id, now_ms=now_ms())]
    for c in made:
        console.print(_describe(c), soft_wrap=True)
    if not made:
        console.print("no log grew since its last checkpoint")


@app.command()
def export(
    asset: Annotated[str, typer.Option("--asset", help="asset key (VIN, serial...)")],
    out: Annotated[Path, typer.Option("--out", help="bundle file to write (JSON)")],
    from_: Annotated[
        str | None, typer.Option("--from", help="ISO-8601 or epoch ms; default: the start")
    ] = None,
    to: Annotated[str | None, typer.Option(help="ISO-8601 or epoch ms, exclusive")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Write the asset's evidence in a time window as one self-contained JSON bundle."""
    engine = open_data(data_dir, database_url)
    bundle = export_bundle(
        engine, Keyring(key_dir_of(data_dir)), scope=scope_for(engine, tenant), asset=asset,
        from_ms=parse_time(from_, field="from"), to_ms=parse_time(to, field="to"),
        now_ms=now_ms(),
    )  # fmt: skip
    out.write_text(json.dumps(bundle, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    manifest = bundle["manifest"]
    console.print(
        f"{len(bundle['records'])} records, {len(bundle['checkpoints'])} checkpoints, "
        f"tree size {manifest['tree_size']} → {escape(str(out))}"
    )


@app.command()
def verify(
    bundle: Annotated[Path, typer.Argument(help="bundle file written by `evidence export`")],
    trusted_key: Annotated[
        str | None,
        typer.Option("--trusted-key", help="key id you trust; signatures must chain from it"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the result as JSON")] = False,
) -> None:
    """Check a bundle offline: hashes, proofs, chain links, signatures, key chain. Exit 1
    when anything fails."""
    try:
        data = bundle.read_bytes()
        result = verify_bundle(load_bundle(data), trusted_key=trusted_key)
        failures = result.failures
    except (OSError, BundleUnreadable) as err:
        result, failures = None, [str(err)]
    if as_json:
        body = result.as_json() if result else {"ok": False, "failures": failures}
        console.print_json(json.dumps(body))
    elif not failures and result is not None:
        console.print(
            f"[green]OK[/]: {result.records} records of {escape(str(result.subject))} in log "
            f"{escape(str(result.log))}, {result.checkpoints} checkpoints (tree size "
            f"{result.tree_size}, root {result.root}), keys {' → '.join(result.keys)}",
            soft_wrap=True,
        )
    for failure in failures if not as_json else []:
        err_console.print(f"[red]FAILED[/]: {escape(failure)}", soft_wrap=True, highlight=False)
    if failures:
        raise typer.Exit(1)


@app.command("rotate-key")
def rotate_key(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Replace the platform's signing key; the old key endorses the new one, and every log
    records the rotation under a last checkpoint signed by the old key."""
    engine = open_data(data_dir, database_url)
    rotation = checkpoints.rotate_key(engine, Keyring(key_dir_of(data_dir)), now_ms=now_ms())
    console.print(
        f"signing key {rotation.old_key_id} → [bold]{rotation.new_key_id}[/] "
        f"({len(rotation.checkpoints)} logs recorded the rotation)",
        soft_wrap=True,
    )
