"""The outbound URL check: internal addresses are refused unless allowed, with a message that
says how to allow them."""

from __future__ import annotations

import asyncio
import ipaddress
import re

import pytest

from tocsin.errors import InvalidInput
from tocsin.outbound import IPAddress, OutboundPolicy, OutboundRefused

STRICT = OutboundPolicy()


@pytest.mark.parametrize(
    ("url", "kind", "address"),
    [
        ("http://127.0.0.1:8080/hook", "loopback", "127.0.0.1"),
        ("https://10.0.0.5/hook", "private", "10.0.0.5"),
        ("http://192.168.1.20/", "private", "192.168.1.20"),
        ("http://172.16.4.4/", "private", "172.16.4.4"),
        ("http://169.254.169.254/latest/meta-data", "link-local", "169.254.169.254"),
        ("http://100.64.1.1/", "CGNAT", "100.64.1.1"),
        ("http://224.0.0.1/", "multicast", "224.0.0.1"),
        ("http://0.0.0.0:9000/", "unspecified", "0.0.0.0"),
        ("http://240.0.0.1/", "reserved", "240.0.0.1"),
        ("http://[::1]/hook", "loopback", "::1"),
        ("http://[fd00::5]/hook", "private", "fd00::5"),
        ("http://[fe80::1]/hook", "link-local", "fe80::1"),
        ("http://[::ffff:10.1.2.3]/hook", "private", "::ffff:10.1.2.3"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback", "::ffff:127.0.0.1"),
        ("http://localhost:8080/", "loopback", ""),
    ],
)
def test_internal_addresses_are_refused_naming_what_they_are(url, kind, address):
    with pytest.raises(OutboundRefused, match=f"points to an? {kind} address \\({re.escape(address)}"):
        STRICT.check(url)


@pytest.mark.parametrize(
    ("url", "kind", "reached", "allow"),
    [
        ("http://[2002:7f00:1::1]/hook", "6to4-embedded loopback", "127.0.0.1", "127.0.0.0/8"),
        ("http://[2002:a00:1::]/hook", "6to4-embedded private", "10.0.0.1", "10.0.0.0/8"),
        (
            "http://[64:ff9b::a9fe:a9fe]/",
            "NAT64-embedded link-local",
            "169.254.169.254",
            "169.254.169.254/32",
        ),
        # Teredo: server 65.54.227.120, client 127.0.0.1 stored inverted (80ff:fffe)
        (
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
            "Teredo-embedded loopback",
            "127.0.0.1",
            "127.0.0.0/8",
        ),
        ("http://[::127.0.0.1]/", "IPv4-compatible-embedded loopback", "127.0.0.1", "127.0.0.0/8"),
        ("http://[::ffff:0:c0a8:101]/", "IPv4-translated-embedded private", "192.168.1.1", "192.168.0.0/16"),
    ],
)
def test_ipv6_addresses_that_carry_an_internal_ipv4_address_are_refused_naming_it(url, kind, reached, allow):
    with pytest.raises(OutboundRefused) as refused:
        STRICT.check(url)
    message = refused.value.message
    assert f"points to {'an' if kind[0] == 'I' else 'a'} {kind} address (" in message
    assert f"which reaches {reached})" in message
    assert message.endswith(f"allow it with TOCSIN_OUTBOUND_ALLOW={allow}")
    assert OutboundPolicy.parse(allow).check(url).url == url


def test_local_use_nat64_is_refused_whatever_it_carries():
    with pytest.raises(OutboundRefused, match="points to a local-use NAT64 address"):
        STRICT.check("http://[64:ff9b:1::5db8:d70e]/")


def test_6to4_and_nat64_forms_of_a_public_address_pass():
    assert STRICT.check("http://[2002:5db8:d70e::1]/").host == "2002:5db8:d70e::1"
    assert STRICT.check("http://[64:ff9b::5db8:d70e]/").host == "64:ff9b::5db8:d70e"


def test_a_name_resolving_to_a_6to4_loopback_is_refused_at_send_time():
    async def resolve(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("2002:7f00:1::1")]

    with pytest.raises(OutboundRefused, match="6to4-embedded loopback"):
        asyncio.run(OutboundPolicy(resolve=resolve).check_async("https://chat.example.com/hook"))


def test_the_refusal_says_which_setting_allows_it():
    with pytest.raises(OutboundRefused) as refused:
        STRICT.check("https://10.0.0.5/hook")
    assert refused.value.message == (
        "https://10.0.0.5/hook points to a private address (10.0.0.5); "
        "allow it with TOCSIN_OUTBOUND_ALLOW=10.0.0.0/8"
    )
    assert refused.value.field == "url" and isinstance(refused.value, InvalidInput)


def test_public_addresses_pass():
    assert STRICT.check("https://93.184.215.14/hook").host == "93.184.215.14"
    assert STRICT.check("http://[2606:4700::1111]:8443/x").port == 8443


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://93.184.215.14/file", "must be an http:// or https:// URL"),
        ("file:///etc/passwd", "must be an http:// or https:// URL"),
        ("https://user:secret@93.184.215.14/hook", "may not carry a user name or password"),
        ("http:///nohost", "has no host"),
        ("http://93.184.215.14:99999/", "is not a valid URL"),
    ],
)
def test_other_schemes_credentials_and_broken_urls_are_refused(url, message):
    with pytest.raises(OutboundRefused, match=message):
        STRICT.check(url)


def test_a_credential_is_not_repeated_in_the_refusal():
    with pytest.raises(OutboundRefused) as refused:
        STRICT.check("https://user:secret@93.184.215.14/hook")
    assert "secret" not in refused.value.message


def test_an_allowed_cidr_lets_its_addresses_through_and_no_others():
    policy = OutboundPolicy.parse("10.0.0.0/8, 127.0.0.0/8")
    assert policy.check("https://10.20.30.40/hook").host == "10.20.30.40"
    assert policy.check("http://127.0.0.1:9/").port == 9
    with pytest.raises(OutboundRefused, match=re.escape("192.168.1.1")):
        policy.check("http://192.168.1.1/")


def test_an_allowed_ipv4_range_covers_its_ipv4_mapped_ipv6_form():
    policy = OutboundPolicy.parse("10.0.0.0/8")
    assert policy.check("http://[::ffff:10.0.0.7]/hook").host == "::ffff:10.0.0.7"
    with pytest.raises(OutboundRefused):
        policy.check("http://[::1]/hook")


def test_an_allowed_ipv6_range():
    policy = OutboundPolicy.parse("fd00::/8")
    assert policy.check("http://[fd12::1]/hook").host == "fd12::1"
    with pytest.raises(OutboundRefused, match="fe80::1"):
        policy.check("http://[fe80::1]/hook")


def test_an_allowed_host_name_is_trusted_whatever_it_resolves_to():
    policy = OutboundPolicy.parse("localhost,chat.internal.example")
    assert policy.check("http://LOCALHOST:8065/hooks/x").host == "localhost"
    assert policy.check("https://chat.internal.example/hooks").host == "chat.internal.example"
    with pytest.raises(OutboundRefused):
        policy.check("http://127.0.0.1/")


def test_the_check_at_send_time_resolves_names_too():
    with pytest.raises(OutboundRefused, match="loopback"):
        asyncio.run(STRICT.check_async("http://localhost:1/hook"))
    allowed = OutboundPolicy.parse("127.0.0.0/8")
    assert asyncio.run(allowed.check_async("http://localhost:1/hook")).port == 1


def test_a_bad_allow_list_is_refused_naming_the_setting():
    with pytest.raises(InvalidInput, match=re.escape("TOCSIN_OUTBOUND_ALLOW: '10.0.0.0/33' is neither")):
        OutboundPolicy.parse("10.0.0.0/33")


def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(OutboundRefused, match="cannot resolve host"):
        STRICT.check("https://no-such-host.invalid/hook")
