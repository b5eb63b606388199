"""Pure parts of agent/helpers/arpscan.py: the BPF filter (run on a small interpreter of the
classic BPF instructions it uses), the who-has frame and the parsing of senders."""
import ipaddress
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "agent", "helpers"))
import arpscan  # noqa: E402

MAC = bytes.fromhex("525400aabbcc")
GUEST = bytes.fromhex("525400112233")


def run_bpf(program, pkt):
    """Classic BPF as the kernel runs it, for the three instructions the filter uses."""
    insns = [struct.unpack("HBBI", program[i:i + 8]) for i in range(0, len(program), 8)]
    pc, a = 0, 0
    while True:
        code, jt, jf, k = insns[pc]
        if code == 0x28:  # ldh [k]: out of the packet drops it
            if k + 2 > len(pkt):
                return 0
            a = struct.unpack("!H", pkt[k:k + 2])[0]
        elif code == 0x15:  # jeq #k
            pc += jt if a == k else jf
        elif code == 0x06:  # ret #k
            return k
        else:
            raise AssertionError(f"unexpected BPF instruction {code:#x}")
        pc += 1


def arp(op, sha, spa, tpa="10.0.0.1"):
    return (
        b"\xff" * 6 + sha + struct.pack("!H", 0x0806)
        + struct.pack("!HHBBH", 1, 0x0800, 6, 4, op)
        + sha + bytes(ipaddress.ip_address(spa).packed) + b"\x00" * 6 + ipaddress.ip_address(tpa).packed
    )


class FilterTest(unittest.TestCase):
    def test_passes_only_arp_requests_and_replies(self):
        prog = arpscan.bpf_program()
        self.assertEqual(len(prog), 8 * len(arpscan.BPF))
        self.assertGreater(run_bpf(prog, arp(1, GUEST, "10.0.0.5")), 0)
        self.assertGreater(run_bpf(prog, arp(2, GUEST, "10.0.0.5")), 0)
        self.assertEqual(run_bpf(prog, arp(3, GUEST, "10.0.0.5")), 0, "RARP opcode")
        ipv4 = b"\xff" * 6 + GUEST + struct.pack("!H", 0x0800) + b"\x45" + b"\x00" * 40
        self.assertEqual(run_bpf(prog, ipv4), 0)
        self.assertEqual(run_bpf(prog, b"\x00" * 10), 0, "a runt frame")


class FrameTest(unittest.TestCase):
    def test_who_has_is_a_broadcast_arp_request(self):
        f = arpscan.who_has(MAC, "10.0.0.1", "10.0.0.7")
        self.assertEqual(len(f), 42)
        self.assertEqual(f[0:6], b"\xff" * 6)
        self.assertEqual(f[6:12], MAC)
        self.assertEqual(f[12:14], b"\x08\x06")
        self.assertEqual(struct.unpack("!HHBBH", f[14:22]), (1, 0x0800, 6, 4, 1))
        self.assertEqual(f[22:28], MAC)
        self.assertEqual(f[28:32], bytes([10, 0, 0, 1]))
        self.assertEqual(f[32:38], b"\x00" * 6)
        self.assertEqual(f[38:42], bytes([10, 0, 0, 7]))
        self.assertGreater(run_bpf(arpscan.bpf_program(), f), 0, "our own request passes the filter")

    def test_targets_are_the_hosts_but_ourselves(self):
        net = ipaddress.ip_network("10.0.0.0/29")
        self.assertEqual(arpscan.targets(net, "10.0.0.1"), [f"10.0.0.{i}" for i in range(2, 7)])
        self.assertEqual(arpscan.targets(net, "0.0.0.0"), [], "listen only")
        self.assertEqual(arpscan.targets(None, "10.0.0.1"), [], "any address: listen only")
        self.assertEqual(len(arpscan.targets(ipaddress.ip_network("10.0.0.0/16"), "10.0.0.1")), arpscan.MAX_TARGETS - 1)


class SenderTest(unittest.TestCase):
    net = ipaddress.ip_network("10.0.0.0/24")

    def test_reports_the_sender_of_requests_and_replies(self):
        self.assertEqual(arpscan.sender(arp(2, GUEST, "10.0.0.5"), MAC, self.net), ("52:54:00:11:22:33", "10.0.0.5"))
        self.assertEqual(arpscan.sender(arp(1, GUEST, "10.0.0.9"), MAC, self.net), ("52:54:00:11:22:33", "10.0.0.9"))
        self.assertEqual(arpscan.sender(arp(1, GUEST, "192.168.1.9"), MAC, None), ("52:54:00:11:22:33", "192.168.1.9"))

    def test_ignores_probes_ourselves_strangers_and_runts(self):
        self.assertIsNone(arpscan.sender(arp(1, GUEST, "0.0.0.0"), MAC, self.net), "an address probe")
        self.assertIsNone(arpscan.sender(arp(1, MAC, "10.0.0.1"), MAC, self.net), "our own request")
        self.assertIsNone(arpscan.sender(arp(2, GUEST, "10.0.1.5"), MAC, self.net), "outside the network")
        self.assertIsNone(arpscan.sender(arp(2, GUEST, "10.0.0.5")[:41], MAC, self.net), "short")


if __name__ == "__main__":
    unittest.main()
