"""Test hosts on one machine: network namespaces on a bridge of their own (Debian's
iproute2), and a small TCP forwarder that lets them reach services that listen on loopback
only (the machine's PostgreSQL, a Redis and an SMTP sink of the test's own).

Everything made here is named with the test's own random suffix and removed at the end;
traffic goes only to loopback and to the test's own addresses.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import uuid
from dataclasses import dataclass, field


class CannotMakeHosts(Exception):
    """This machine cannot create network namespaces (not root, or no iproute2)."""


def _ip(*args: str) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CannotMakeHosts(f"ip {' '.join(args)}: {result.stderr.strip()}")


@dataclass
class Hosts:
    """A bridge at ``gateway`` and one namespace per host, each with an address on it."""

    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    subnet: str = field(default_factory=lambda: f"10.213.{uuid.uuid4().int % 250 + 2}")
    names: list[str] = field(default_factory=list)

    @property
    def gateway(self) -> str:
        """The machine's own address on the bridge: where the hosts reach its services."""
        return f"{self.subnet}.1"

    @property
    def bridge(self) -> str:
        return f"crbr{self.suffix}"

    def address(self, index: int) -> str:
        return f"{self.subnet}.{index + 2}"

    def namespace(self, index: int) -> str:
        return f"casereview-{self.suffix}-{index}"

    def create(self, count: int) -> None:
        if os.geteuid() != 0 or shutil.which("ip") is None:
            raise CannotMakeHosts("needs root and Debian's iproute2 (`ip`); CI has both")
        _ip("link", "add", self.bridge, "type", "bridge")
        self.names.append(self.bridge)
        _ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        for index in range(count):
            namespace, outside, inside = (
                self.namespace(index),
                f"cr{self.suffix}o{index}",
                f"cr{self.suffix}i{index}",
            )
            _ip("netns", "add", namespace)
            self.names.append(namespace)
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            self.names.append(outside)
            _ip("link", "set", inside, "netns", namespace)
            _ip("link", "set", outside, "master", self.bridge, "up")
            _ip("-n", namespace, "link", "set", "lo", "up")
            _ip("-n", namespace, "addr", "add", f"{self.address(index)}/24", "dev", inside)
            _ip("-n", namespace, "link", "set", inside, "up")

    def remove(self) -> None:
        for name in reversed(self.names):
            command = (
                ["netns", "del", name] if name.startswith("casereview-") else ["link", "del", name]
            )
            subprocess.run(["ip", *command], capture_output=True, check=False)
        self.names.clear()

    def run_in(self, index: int) -> tuple[str, ...]:
        """The prefix that runs a command on host ``index``."""
        return ("ip", "netns", "exec", self.namespace(index))


class Forwarder:
    """Relays each TCP connection made to ``listen`` to ``target``; when either end closes,
    both do (so a killed process's connection ends at the server too)."""

    def __init__(self, listen: tuple[str, int], target: tuple[str, int]) -> None:
        self.target = target
        self.server = socket.create_server(listen)
        self.port = self.server.getsockname()[1]
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
                with self.lock:
                    self.sockets.discard(end)

    def close(self) -> None:
        with contextlib.suppress(OSError):  # wakes the accepting thread
            self.server.shutdown(socket.SHUT_RDWR)
        self.server.close()
        with self.lock:
            ends = list(self.sockets)
        for end in ends:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
