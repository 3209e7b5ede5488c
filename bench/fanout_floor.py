"""The floor for bench/fanout.py: a bare `websockets` server that broadcasts a board.

No framework, no database, no per-TV bookkeeping: it answers `hello` with `up_to_date` and
`ping` with `pong`, and on each stdin line `<version>` sends the board (the payload file,
with that version) to every socket with websockets.broadcast(), then prints the send time.

    python bench/fanout_floor.py PORT PAYLOAD_FILE
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from pathlib import Path

import orjson
import uvloop
from websockets.asyncio.server import ServerConnection, broadcast, serve

# service/serve.py's GC_THRESHOLDS (not imported: that would load the whole app here).
GC_THRESHOLDS = (50_000, 20, 100)


async def main(port: int, payload: dict[str, object]) -> None:
    # The garbage collector tuned as chalkboard serve tunes it (service/serve.py), so that
    # neither side of the comparison pays for collections the other is spared.
    gc.set_threshold(*GC_THRESHOLDS)
    gc.freeze()
    tvs: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        tvs.add(ws)
        try:
            async for text in ws:
                message = orjson.loads(text)
                if message["type"] == "hello":
                    await ws.send(
                        orjson.dumps({"type": "up_to_date", "version": message["version"]}).decode()
                    )
                elif message["type"] == "ping":
                    await ws.send('{"type":"pong"}')
        finally:
            tvs.discard(ws)

    # As uvicorn is configured for Chalkboard: no deflate, pings every 20 s, 64 KiB frames.
    async with serve(
        handler, "127.0.0.1", port, compression=None, max_size=64 * 1024, backlog=2048
    ):
        print("ready", flush=True)
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := await reader.readline():
            text = orjson.dumps({**payload, "version": int(line)}).decode()
            sent = time.time()
            broadcast(tvs, text)
            print(orjson.dumps({"sent": sent, "tvs": len(tvs)}).decode(), flush=True)


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1]), orjson.loads(Path(sys.argv[2]).read_bytes())))
