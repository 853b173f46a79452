#!/usr/bin/env python3
"""A stranger's flood against a running Tanba server: memory stays bounded.

Opens CONNECTIONS connections from several loopback addresses (127.0.N.1, so the per-client cap
is not what stops them), and on each sends, again and again, the largest request the server
takes without a token: an HTTP POST announcing BODY_BYTES bytes and sending them as fast as the
server reads. The gate cuts each body at 64 KiB, answers and closes; the flood reconnects. The
server's resident memory (VmRSS) is sampled throughout and its peak (VmHWM) read at the end.

    python3 load-tests/flood.py --pid PID --http 127.0.0.1:8080 [--connections 2000]
        [--seconds 30] [--body-bytes 16777216]

Prints one JSON line: connections, requests answered, refused connections, bytes sent, RSS
before, peak and after, in MiB. Standard library only.
"""

import argparse
import asyncio
import json
import time


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


async def one_client(index, host, port, body_bytes, deadline, stats):
    source = f"127.0.{1 + index % 200}.1"
    chunk = b"x" * 65536
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
        except OSError:
            stats["refused"] += 1
            await asyncio.sleep(0.05)
            continue
        try:
            head = (
                f"POST /v1/reports HTTP/1.1\r\nHost: {host}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {body_bytes}\r\n\r\n"
            )
            writer.write(head.encode())
            sent = 0
            while sent < body_bytes and time.monotonic() < deadline:
                writer.write(chunk)
                await asyncio.wait_for(writer.drain(), 5)
                sent += len(chunk)
                stats["bytes"] += len(chunk)
                if reader.at_eof():
                    break
        except (OSError, asyncio.TimeoutError):
            pass
        try:
            answer = await asyncio.wait_for(reader.read(64), 2)
            if answer.startswith(b"HTTP/1.1"):
                stats["answered"] += 1
        except (OSError, asyncio.TimeoutError):
            pass
        writer.close()


async def sample(pid, deadline, stats):
    while time.monotonic() < deadline:
        stats["rss_max_kib"] = max(stats["rss_max_kib"], rss_kib(pid, "VmRSS"))
        await asyncio.sleep(0.2)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--http", default="127.0.0.1:8080")
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--body-bytes", type=int, default=16 << 20)
    args = parser.parse_args()
    host, port = args.http.rsplit(":", 1)
    stats = {"answered": 0, "refused": 0, "bytes": 0, "rss_max_kib": 0}
    before = rss_kib(args.pid, "VmRSS")
    deadline = time.monotonic() + args.seconds
    tasks = [
        one_client(n, host, int(port), args.body_bytes, deadline, stats)
        for n in range(args.connections)
    ]
    await asyncio.gather(sample(args.pid, deadline, stats), *tasks)
    await asyncio.sleep(2)
    print(
        json.dumps(
            {
                "connections": args.connections,
                "seconds": args.seconds,
                "requests_answered": stats["answered"],
                "connects_refused": stats["refused"],
                "sent_mib": round(stats["bytes"] / 2**20),
                "rss_before_mib": round(before / 1024, 1),
                "rss_sampled_max_mib": round(stats["rss_max_kib"] / 1024, 1),
                "rss_peak_mib": round(rss_kib(args.pid, "VmHWM") / 1024, 1),
                "rss_after_mib": round(rss_kib(args.pid, "VmRSS") / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
