"""A mail server for the two-server test: just enough SMTP for Django's backend, counting each
message it accepted, and able to stall one message at the end of its DATA.

A stalled message is received in full and never answered: the sender waits for a "250" that
never comes, as it would from a server that hangs. When the sender goes away (killed, or timed
out) the message counts as aborted, never as delivered: only a "250" delivers a message.
"""

import socketserver
import threading
from collections.abc import Callable


class SMTPSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Exchange)
        self.changed = threading.Condition()
        self.delivered: list[bytes] = []  # DATA answered "250"
        self.aborted: list[bytes] = []  # DATA received, the sender gone before the answer
        self.stalling = False  # the next DATA is stalled
        self.stalled = 0  # how many were

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def stall_next(self) -> None:
        with self.changed:
            self.stalling = True

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
        """Wait until `condition()` holds (checked whenever a message arrives)."""
        with self.changed:
            if not self.changed.wait_for(condition, timeout):
                raise AssertionError(
                    f"the mail server waited {timeout:.0f} s for {what}: "
                    f"{len(self.delivered)} delivered, {len(self.aborted)} aborted"
                )

    def _record(self, into: list[bytes], message: bytes) -> None:
        with self.changed:
            into.append(message)
            self.changed.notify_all()


class _Exchange(socketserver.StreamRequestHandler):
    server: SMTPSink

    def handle(self) -> None:
        sink = self.server
        self.wfile.write(b"220 sink.test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 end with <CRLF>.<CRLF>\r\n")
                message, complete = self._data()
                if not complete:
                    sink._record(sink.aborted, message)
                    return
                with sink.changed:
                    stall, sink.stalling = sink.stalling, False
                    if stall:
                        sink.stalled += 1
                        sink.changed.notify_all()
                if stall:
                    self._wait_for_the_sender_to_leave()
                    sink._record(sink.aborted, message)
                    return
                sink._record(sink.delivered, message)
                self.wfile.write(b"250 2.0.0 accepted\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 2.0.0 bye\r\n")
                return
            else:  # EHLO, MAIL FROM, RCPT TO, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")

    def _data(self) -> tuple[bytes, bool]:
        message = b""
        while chunk := self.rfile.readline():
            if chunk == b".\r\n":
                return message, True
            message += chunk
        return message, False

    def _wait_for_the_sender_to_leave(self) -> None:
        try:
            while self.rfile.read(4096):
                pass  # a sender that gave up may say QUIT first; nothing it says is answered
        except OSError:
            pass  # reset by a killed sender's system
