"""A fault-injecting TCP proxy for the sync tests: bytes both ways, and per connection one planned fault.

Each accepted connection takes the next `Fault` of the plan (none left: a clean connection). A fault fires on
the bytes of its direction ("up": client→server, "down": server→client):

- cut:   after `after` bytes, both sides are closed (FIN), the rest never forwarded;
- reset: after `after` bytes, both sides are reset (SO_LINGER 0: RST);
- stall: after `after` bytes, nothing more is forwarded for `stall` seconds, then both sides are closed;
- drop_response: once the client sent the `occurrence`-th request whose head contains `marker`, the server's
  answer to it is never forwarded and both sides are closed (the server did the work; the client never hears).

`kill_on(marker, occurrence, callback)` calls `callback` (e.g. SIGKILL of the server) once, `delay` seconds after
the proxy forwarded the `occurrence`-th request with `marker` on any connection.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    kind: str  # cut, reset, stall, drop_response
    direction: str = "up"  # up (client→server) or down (server→client); drop_response: always down
    after: int = 0  # bytes forwarded in `direction` before the fault
    stall: float = 0.0
    marker: bytes = b""
    occurrence: int = 1

    def describe(self) -> str:
        if self.kind == "drop_response":
            return f"drop_response({self.marker.decode()}#{self.occurrence})"
        extra = f",{self.stall:.1f}s" if self.kind == "stall" else ""
        return f"{self.kind}({self.direction}@{self.after}{extra})"


class _Connection:
    def __init__(self, proxy: FaultProxy, client: socket.socket, server: socket.socket, fault: Fault | None) -> None:
        self.proxy = proxy
        self.client = client
        self.server = server
        self.fault = fault
        self.lock = threading.Lock()
        self.counts = {"up": 0, "down": 0}
        self.dead = False
        self.armed = False  # drop_response: the marked request went up, its answer must not come down
        self.seen = 0
        self.tail = b""

    def kill(self, *, reset: bool, why: str) -> None:
        with self.lock:
            if self.dead:
                return
            self.dead = True
        self.proxy.record(why)
        for sock in (self.client, self.server):
            try:
                if reset:  # no FIN: close() then sends RST; SHUT_RD wakes the other pump's recv
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    sock.shutdown(socket.SHUT_RD)
                else:
                    sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            with contextlib.suppress(OSError):
                sock.close()

    def _scan(self, data: bytes, marker: bytes) -> int:
        """How many times `marker` occurs in the up stream within these new bytes (across chunk borders)."""
        window = self.tail + data
        hits = window.count(marker)
        self.tail = window[-(len(marker) - 1) :] if len(marker) > 1 else b""
        return hits

    def pump(self, direction: str) -> None:
        src, dst = (self.client, self.server) if direction == "up" else (self.server, self.client)
        fault = self.fault
        try:
            while not self.dead:
                data = src.recv(65536)
                if not data:
                    break
                if direction == "up":
                    self.proxy.saw_request_bytes(data)
                if fault is not None and fault.kind == "drop_response":
                    if direction == "up":
                        self.seen += self._scan(data, fault.marker)
                        if self.seen >= fault.occurrence:
                            self.armed = True
                    elif self.armed:
                        self.kill(reset=False, why=f"fired {fault.describe()}")
                        return
                elif fault is not None and fault.direction == direction:
                    before = self.counts[direction]
                    if before + len(data) >= fault.after:
                        head = data[: max(0, fault.after - before)]
                        if head:
                            dst.sendall(head)
                        self.counts[direction] += len(head)
                        if fault.kind == "stall":
                            time.sleep(fault.stall)
                        self.kill(reset=fault.kind == "reset", why=f"fired {fault.describe()}")
                        return
                dst.sendall(data)
                self.counts[direction] += len(data)
        except OSError:
            pass
        finally:
            # One side finished or broke: the other side learns it (a half-close would keep HTTP waiting).
            self.kill(reset=False, why="")


class FaultProxy:
    def __init__(self, target_port: int, plan: list[Fault] | None = None) -> None:
        self.target_port = target_port
        self.plan = list(plan or [])
        self.events: list[str] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._kill: tuple[bytes, int, float, Callable[[], None]] | None = None
        self._kill_seen = 0
        self._kill_tail = b""
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = int(self._listener.getsockname()[1])
        self._stopped = False
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stopped = True
        with contextlib.suppress(OSError):
            self._listener.close()

    def record(self, event: str) -> None:
        if event:
            with self._lock:
                self.events.append(event)

    def fired(self) -> list[str]:
        with self._lock:
            return [e for e in self.events if e.startswith(("fired ", "killed "))]

    def kill_on(self, marker: bytes, occurrence: int, callback: Callable[[], None], *, delay: float = 0.0) -> None:
        with self._lock:
            self._kill = (marker, occurrence, delay, callback)
            self._kill_seen = 0
            self._kill_tail = b""

    def saw_request_bytes(self, data: bytes) -> None:
        with self._lock:
            if self._kill is None:
                return
            marker, occurrence, delay, callback = self._kill
            window = self._kill_tail + data
            self._kill_seen += window.count(marker)
            self._kill_tail = window[-(len(marker) - 1) :]
            if self._kill_seen < occurrence:
                return
            self._kill = None
            self.events.append(f"killed server at {marker.decode()}#{occurrence}")
        timer = threading.Timer(delay, callback)
        timer.daemon = True
        timer.start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                fault = self.plan.pop(0) if self.plan else None
                self.connections += 1
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                server.settimeout(None)
            except OSError:
                self.record("upstream refused")
                client.close()
                continue
            conn = _Connection(self, client, server, fault)
            for direction in ("up", "down"):
                threading.Thread(target=conn.pump, args=(direction,), daemon=True).start()
