"""A Redis server of the test's own, on a port of 127.0.0.1, that answers reads but can be made
to refuse writes the way a real one does. Redis-py talks to it over the network unchanged.

- "oom": out of memory under `maxmemory-policy noeviction`: commands that grow memory (SET)
  are refused with OOM; DEL still works.
- "readonly": a replica after a failover: every write, DEL included, is refused with READONLY.

It speaks the commands Django's Redis cache uses (HELLO, CLIENT, SELECT, PING, GET, SET, DEL,
EXISTS), keeps keys in memory (no expiry: the tests are short) and answers anything else with
an error, as Redis does for a command it does not know.
"""

import socket
import threading

ERRORS = {
    "oom": b"-OOM command not allowed when used memory > 'maxmemory'.\r\n",
    "readonly": b"-READONLY You can't write against a read only replica.\r\n",
}
GROWING = {b"SET", b"SETEX", b"INCR", b"APPEND"}
WRITES = GROWING | {b"DEL", b"EXPIRE", b"UNLINK"}


def _bulk(value: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(value), value)


class FakeRedis:
    def __init__(self) -> None:
        self.store: dict[bytes, bytes] = {}
        self.refusing: str | None = None  # None, "oom" or "readonly"
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.peers: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def keys(self, containing: str) -> list[bytes]:
        return [key for key in self.store if containing.encode() in key]

    def close(self) -> None:
        self.server.close()
        for peer in self.peers:
            peer.close()

    def _accept(self) -> None:
        while True:
            try:
                peer = self.server.accept()[0]
            except OSError:  # closed
                return
            self.peers.append(peer)
            threading.Thread(target=self._serve, args=(peer,), daemon=True).start()

    def _serve(self, peer: socket.socket) -> None:
        reader = peer.makefile("rb")
        resp3 = False
        try:
            while line := reader.readline():
                args = []
                for _ in range(int(line[1:])):
                    length = int(reader.readline()[1:])
                    args.append(reader.read(length + 2)[:-2])
                if args[0].upper() == b"HELLO":
                    resp3 = args[1:2] == [b"3"]
                peer.sendall(self._answer(args, resp3))
        except (OSError, ValueError):  # the client went away, or the test closed the server
            return

    def _answer(self, args: list[bytes], resp3: bool) -> bytes:
        command = args[0].upper()
        refused = self.refusing == "readonly" and command in WRITES
        refused |= self.refusing == "oom" and command in GROWING
        if refused:
            return ERRORS[str(self.refusing)]
        if command == b"HELLO":
            fields = [b"server", b"redis", b"version", b"7.0.0", b"proto"]
            return (
                b"%7\r\n"
                + b"".join(_bulk(f) for f in fields)
                + b":3\r\n"
                + b"".join(
                    _bulk(f) for f in (b"id", b"1", b"mode", b"standalone", b"role", b"master")
                )
                + _bulk(b"modules")
                + b"*0\r\n"
            )
        if command in (b"CLIENT", b"SELECT"):
            return b"+OK\r\n"
        if command == b"PING":
            return b"+PONG\r\n"
        if command == b"GET":
            value = self.store.get(args[1])
            if value is None:
                return b"_\r\n" if resp3 else b"$-1\r\n"
            return _bulk(value)
        if command == b"SET":
            self.store[args[1]] = args[2]
            return b"+OK\r\n"
        if command in (b"DEL", b"EXISTS"):
            found = [key for key in args[1:] if key in self.store]
            if command == b"DEL":
                for key in found:
                    del self.store[key]
            return b":%d\r\n" % len(found)
        return b"-ERR unknown command '%s'\r\n" % command
