#!/usr/bin/env python3
"""A webhook receiver that answers 200 after a fixed delay (default 1 s), for infra/bench/webhooks.sh. Loopback only.
Counts requests per second on stdout and the total in /tmp/slow_receiver.count."""
import asyncio, sys, time

DELAY = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8471
count = 0

async def handle(reader, writer):
    global count
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            await asyncio.sleep(DELAY)
            count += 1
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionResetError):
        pass
    finally:
        writer.close()

async def report():
    last = 0
    while True:
        await asyncio.sleep(10)
        print(f"{time.strftime('%H:%M:%S')} received {count} ({(count - last) / 10:.0f}/s)", flush=True)
        open("/tmp/slow_receiver.count", "w").write(str(count))
        last = count

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", PORT, backlog=1024)
    asyncio.create_task(report())
    async with server:
        await server.serve_forever()

asyncio.run(main())
