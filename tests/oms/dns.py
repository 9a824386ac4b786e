"""The outside world's DNS, faked for the webhook tests: names they use, and the
addresses they resolve to (addresses themselves resolve as usual)."""

from __future__ import annotations

import ipaddress
import socket

DNS = {
    "shop.example.com": ["93.184.215.14"],
    "erp.example.com": ["93.184.215.15"],
    "bi.example.com": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "x.example.com": ["93.184.215.16"],
    "localhost": ["127.0.0.1", "::1"],
    "metadata.google.internal": ["169.254.169.254"],
    "intranet.example.com": ["10.20.30.40"],
    "half-inside.example.com": ["93.184.215.17", "192.168.1.10"],
}
_real_getaddrinfo = socket.getaddrinfo


def fake_getaddrinfo(host, port, *args, **kwargs):
    try:
        ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        if host not in DNS:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port),
            )
            for address in DNS[host]
        ]
    return _real_getaddrinfo(host, port, *args, **kwargs)
