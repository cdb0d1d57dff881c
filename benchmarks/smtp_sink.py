"""A minimal SMTP server that accepts every message and keeps none: the benchmarks' mail sink.

Usage: .venv/bin/python benchmarks/smtp_sink.py --port 2525 [--host 127.0.0.1]

Standard library only (asyncio): it speaks enough of RFC 5321 for Django's SMTP backend
(EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no AUTH), answers 250 to every
message and prints one line per message delivered, `<unix time> <recipients> <bytes>`,
flushed at once, so that the process that started it can count deliveries as they
happen. It prints `ready <port>` when it listens, and stops on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import signal
import sys
import time


class Session:
    """One client's conversation."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.recipients = 0
        self.sender = False

    async def reply(self, line: str) -> None:
        self.writer.write(line.encode("ascii") + b"\r\n")
        await self.writer.drain()

    async def data(self) -> int:
        """Read the message up to the lone dot; its size in bytes."""
        size = 0
        while (line := await self.reader.readline()) not in (b".\r\n", b".\n", b""):
            size += len(line)
        return size

    async def run(self) -> None:
        await self.reply("220 sink ESMTP")
        while line := await self.reader.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                await self.reply("250-sink")
                await self.reply("250-8BITMIME")
                await self.reply("250 SMTPUTF8")
            elif verb == b"HELO":
                await self.reply("250 sink")
            elif verb == b"MAIL":
                self.sender, self.recipients = True, 0
                await self.reply("250 OK")
            elif verb == b"RCPT":
                if not self.sender:
                    await self.reply("503 MAIL first")
                    continue
                self.recipients += 1
                await self.reply("250 OK")
            elif verb == b"DATA":
                if not self.recipients:
                    await self.reply("503 RCPT first")
                    continue
                await self.reply("354 End data with <CR><LF>.<CR><LF>")
                size = await self.data()
                print(f"{time.time():.3f} {self.recipients} {size}", flush=True)
                self.sender, self.recipients = False, 0
                await self.reply("250 OK: delivered")
            elif verb == b"RSET":
                self.sender, self.recipients = False, 0
                await self.reply("250 OK")
            elif verb == b"NOOP":
                await self.reply("250 OK")
            elif verb == b"QUIT":
                await self.reply("221 Bye")
                break
            else:
                await self.reply("502 Command not implemented")


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await Session(reader, writer).run()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def serve(host: str, port: int) -> None:
    server = await asyncio.start_server(handle, host, port)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    print(f"ready {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await stopping.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    options = parser.parse_args()
    asyncio.run(serve(options.host, options.port))


if __name__ == "__main__":
    sys.exit(main())
