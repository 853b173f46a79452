"""Reads a data export job's Parquet files with two readers nobody here wrote, pyarrow and
DuckDB, and prints what each saw as one JSON object: rows, columns with their types, and per
integer column its sum, so that a test can hold both to Tanba's own figures.

Usage: read_exports.py JOB_DIRECTORY [--rows]  (the directory holding
day=YYYY-MM-DD/part-N.parquet; with --rows, every row too, as sorted JSON text, so that two
exports of one table written different ways can be held to the same rows)
"""

import glob
import json
import os
import sys

import duckdb
import pyarrow.parquet as pq


def with_pyarrow(files):
    tables = [pq.read_table(path) for path in files]
    schema = tables[0].schema if tables else None
    rows = sum(table.num_rows for table in tables)
    sums = {}
    for table in tables:
        for field in table.schema:
            if str(field.type) in ("uint32", "int64", "uint64"):
                column = table.column(field.name)
                total = sum(value for value in column.to_pylist() if value is not None)
                sums[field.name] = sums.get(field.name, 0) + total
    columns = {field.name: str(field.type) for field in schema} if schema else {}
    return {"rows": rows, "columns": columns, "sums": sums}


def with_duckdb(directory, columns):
    pattern = os.path.join(directory, "day=*", "*.parquet")
    source = f"read_parquet('{pattern}', hive_partitioning = false)"
    connection = duckdb.connect()
    rows = connection.execute(f"select count(*) from {source}").fetchone()[0]
    sums = {}
    for name, kind in columns.items():
        if kind in ("uint32", "uint64", "int64"):
            total = connection.execute(f'select coalesce(sum("{name}"), 0) from {source}').fetchone()[0]
            sums[name] = int(total)
    # The days as DuckDB reads them from the Hive-style directory names.
    days = connection.execute(
        f"select count(distinct day) from read_parquet('{pattern}', hive_partitioning = true)"
    ).fetchone()[0]
    return {"rows": int(rows), "sums": sums, "days": int(days)}


def sorted_rows(files):
    rows = []
    for path in files:
        for row in pq.read_table(path).to_pylist():
            rows.append(json.dumps(row, sort_keys=True, default=str))
    return sorted(rows)


def main():
    directory = sys.argv[1]
    files = sorted(glob.glob(os.path.join(directory, "day=*", "*.parquet")))
    arrow = with_pyarrow(files)
    read = {"files": len(files), "pyarrow": arrow, "duckdb": with_duckdb(directory, arrow["columns"])}
    if "--rows" in sys.argv[2:]:
        read["rows"] = sorted_rows(files)
    print(json.dumps(read))


if __name__ == "__main__":
    main()
