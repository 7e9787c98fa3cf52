#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""features suite: the features matrix says what the code does.

    features_check.py SOURCE_ROOT

Reads doc/guides/nics/features/failover.ini, the eth_dev_ops table of
drivers/net/failover/failover_ops.c (`const struct eth_dev_ops fo_ops`)
and the driver's sources (dev_flags it sets, dev_info fields the ops of
failover_ops*.c fill, events it raises on its own port), and checks every key of FEATURES below:
claimed (Y or P) exactly when the code has all it needs. A key of the ini
that FEATURES does not know and is not a platform or documentation key
fails too (give it a rule). Ops of the table that no rule names are
listed, not failed: they are no feature of DPDK's matrix
(doc/guides/nics/features.rst, "Other dev ops not represented by a
Feature").

Extending: a new feature is one line of FEATURES, its needs taken from the
"[implements]" / "[uses]" lines of DPDK's features.rst:
    "op:<name>"     an eth_dev_ops member set in fo_ops
    "flag:<name>"   a dev_flags bit the driver sets (dev_flags |= ...)
    "event:<name>"  an ethdev event the driver raises on its own port
                    (rte_eth_dev_callback_process(dev, <name>, ...))
    "info:<field>"  a dev_info field the driver fills (info-><field> = ...)
    "token:<name>"  a name used in the driver's sources (a capability bit)
"""

import glob
import os
import re
import sys

# features.ini key -> what the code needs for it (all of them).
FEATURES = {
    "Speed capabilities": ["info:speed_capa"],
    "Link status": ["op:link_update"],
    "Link status event": ["flag:RTE_ETH_DEV_INTR_LSC", "event:RTE_ETH_EVENT_INTR_LSC"],
    "Removal event": ["flag:RTE_ETH_DEV_INTR_RMV", "event:RTE_ETH_EVENT_INTR_RMV"],
    "Queue status event": ["event:RTE_ETH_EVENT_QUEUE_STATE"],
    "Rx interrupt": ["op:rx_queue_intr_enable", "op:rx_queue_intr_disable"],
    "Free Tx mbuf on demand": ["op:tx_done_cleanup"],
    "Queue start/stop": ["op:rx_queue_start", "op:rx_queue_stop",
                         "op:tx_queue_start", "op:tx_queue_stop"],
    "Runtime Rx queue setup": ["token:RTE_ETH_DEV_CAPA_RUNTIME_RX_QUEUE_SETUP"],
    "Runtime Tx queue setup": ["token:RTE_ETH_DEV_CAPA_RUNTIME_TX_QUEUE_SETUP"],
    "Burst mode info": ["op:rx_burst_mode_get", "op:tx_burst_mode_get"],
    "Power mgmt address monitor": ["op:get_monitor_addr"],
    "MTU update": ["op:mtu_set"],
    "Buffer split on Rx": ["op:buffer_split_supported_hdr_ptypes_get"],
    "Promiscuous mode": ["op:promiscuous_enable", "op:promiscuous_disable"],
    "Allmulticast mode": ["op:allmulticast_enable", "op:allmulticast_disable"],
    "Unicast MAC filter": ["op:mac_addr_set", "op:mac_addr_add", "op:mac_addr_remove"],
    "Multicast MAC filter": ["op:set_mc_addr_list"],
    "RSS hash": ["info:flow_type_rss_offloads"],
    "RSS key update": ["op:rss_hash_update", "op:rss_hash_conf_get"],
    "RSS reta update": ["op:reta_update", "op:reta_query"],
    "DCB": ["op:get_dcb_info"],
    "VLAN filter": ["op:vlan_filter_set"],
    "Flow control": ["op:flow_ctrl_get", "op:flow_ctrl_set"],
    "Flow API": ["op:flow_ops_get"],
    "Rate limitation": ["op:set_queue_rate_limit"],
    "Congestion management": ["op:cman_info_get", "op:cman_config_set",
                              "op:cman_config_get"],
    "Traffic manager": ["op:tm_ops_get"],
    "VLAN offload": ["op:vlan_offload_set"],
    "QinQ offload": ["op:vlan_offload_set", "token:RTE_ETH_QINQ_STRIP_OFFLOAD"],
    "FEC": ["op:fec_get_capability", "op:fec_get", "op:fec_set"],
    "Packet type parsing": ["op:dev_supported_ptypes_get"],
    "Timesync": ["op:timesync_enable", "op:timesync_disable"],
    "Rx descriptor status": ["token:rx_descriptor_status"],
    "Tx descriptor status": ["token:tx_descriptor_status"],
    "Basic stats": ["op:stats_get", "op:stats_reset"],
    "Extended stats": ["op:xstats_get", "op:xstats_get_names", "op:xstats_reset"],
    "Stats per queue": ["op:queue_stats_mapping_set"],
    "FW version": ["op:fw_version_get"],
    "EEPROM dump": ["op:get_eeprom_length", "op:get_eeprom"],
    "Module EEPROM dump": ["op:get_module_info", "op:get_module_eeprom"],
    "Registers dump": ["op:get_reg"],
    "LED": ["op:dev_led_on", "op:dev_led_off"],
    "Multiprocess aware": ["token:rte_eth_dev_attach_secondary", "token:fo_sec_ops"],
}

# Ops a rule does not need but which belong to a feature (features.rst).
FEATURE_OPS_OPTIONAL = {
    "xstats_get_by_id", "xstats_get_names_by_id", "set_eeprom",
    "priority_flow_ctrl_set", "priority_flow_ctrl_queue_info_get",
    "priority_flow_ctrl_queue_configure", "timesync_read_rx_timestamp",
    "timesync_read_tx_timestamp", "timesync_adjust_time", "timesync_read_time",
    "timesync_write_time",
}

# Keys about platforms and documents: no code to check.
NOT_CODE = {
    "FreeBSD", "Linux", "Windows", "ARMv7", "ARMv8", "LoongArch64", "Power8",
    "rv64", "x86-32", "x86-64", "Usage doc", "Design doc", "Perf doc",
}

INI = "doc/guides/nics/features/failover.ini"
DRIVER = "drivers/net/failover"
OPS_FILE = "failover_ops.c"
OPS_FILES = r"failover_ops(_\w+)?\.c$"
OPS_TABLE = "fo_ops"
# The op table of secondary processes: an entry (served, refused, or NULL
# said in so many words) for every op of fo_ops.
SEC_FILE = "failover_secondary.c"
SEC_TABLE = "fo_sec_ops"


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def read_ini(path):
    """{key: value} of the [Features] section."""
    keys, section = {}, None
    for line in open(path):
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        if section == "Features" and "=" in line:
            k, v = line.split("=", 1)
            keys[k.strip()] = v.strip()
    return keys


def read_ops(text, table=OPS_TABLE, with_null=False):
    """Members of the op table set to something other than NULL (all of
    them with with_null)."""
    m = re.search(r"const\s+struct\s+eth_dev_ops\s+%s\s*=\s*\{(.*?)\n\};" % table,
                  text, re.S)
    if m is None:
        return None
    return {name for name, val in re.findall(r"\.(\w+)\s*=\s*([^,\n]+)", m.group(1))
            if with_null or val.strip() != "NULL"}


class Code:
    """What the driver's sources show."""

    def __init__(self, root):
        files = sorted(glob.glob(os.path.join(root, DRIVER, "*.[ch]")))
        self.text = {os.path.basename(f): strip_comments(open(f).read()) for f in files}
        self.all = "\n".join(self.text.values())
        self.ops = read_ops(self.text.get(OPS_FILE, ""))
        # the ops themselves: failover_ops.c and the families split from it
        self.ops_text = "\n".join(v for k, v in self.text.items()
                                   if re.match(OPS_FILES, k))
        self.flags = set()
        for rhs in re.findall(r"dev_flags\s*\|?=\s*([^;]+);", self.all):
            self.flags |= set(re.findall(r"\bRTE_ETH_DEV_\w+", rhs))
        self.sec_ops = read_ops(self.text.get(SEC_FILE, ""), SEC_TABLE, with_null=True)
        self.events = set(re.findall(
            r"rte_eth_dev_callback_process\s*\(\s*dev\s*,\s*(RTE_ETH_EVENT_\w+)", self.all))

    def has(self, need):
        kind, name = need.split(":", 1)
        if kind == "op":
            return name in self.ops
        if kind == "flag":
            return name in self.flags
        if kind == "event":
            return name in self.events
        if kind == "info":
            return re.search(r"\binfo->%s\s*[|&]?=|\bFO_\w+\(%s\)" % (name, name),
                             self.ops_text) is not None
        if kind == "token":
            return re.search(r"\b%s\b" % name, self.all) is not None
        raise ValueError("unknown kind in %r" % need)


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    ini = read_ini(os.path.join(root, INI))
    code = Code(root)
    passed = failed = 0

    def check(ok, what, why=""):
        nonlocal passed, failed
        print(" + %s %s%s" % (what, "succeeded" if ok else "failed",
                               "" if ok or not why else ": " + why))
        passed, failed = passed + ok, failed + (not ok)

    check(code.ops is not None and len(code.ops) > 0,
          "the op table %s of %s is found" % (OPS_TABLE, OPS_FILE))
    if code.ops is None:
        print("%d passed, %d failed, 0 skipped" % (passed, failed))
        return 1
    print("    ops: %s" % ", ".join(sorted(code.ops)))
    print("    dev_flags: %s; events raised: %s" % (", ".join(sorted(code.flags)) or "-",
                                                    ", ".join(sorted(code.events)) or "-"))
    for key, needs in FEATURES.items():
        got = [n for n in needs if code.has(n)]
        claimed = ini.get(key, "") in ("Y", "P")
        have = len(got) == len(needs)
        if got and not have:
            check(False, "%s: the code has all or none of it" % key,
                  "has %s, lacks %s" % (", ".join(got),
                                        ", ".join(n for n in needs if n not in got)))
            continue
        why = ("the ini claims it (%s), the code lacks %s" % (ini[key], ", ".join(needs))
               if claimed else "the code has %s, the ini does not say %s = Y"
               % (", ".join(needs), key))
        check(claimed == have, "%s: %s in the code, %s in the ini"
              % (key, "present" if have else "absent", "claimed" if claimed else "not claimed"),
              why)
    if code.sec_ops is not None:
        lack = sorted(code.ops - code.sec_ops)
        check(not lack, "every op of %s has an entry in %s of %s" % (OPS_TABLE, SEC_TABLE, SEC_FILE),
              "no entry for %s: serve it or refuse it by name" % ", ".join(lack))
    unknown = sorted(k for k in ini if k not in FEATURES and k not in NOT_CODE)
    check(not unknown, "every key of the ini has a rule",
          "no rule for %s: add it to FEATURES" % ", ".join(unknown))
    bad = sorted(k for k, v in ini.items() if v not in ("Y", "P", ""))
    check(not bad, "every value is Y, P or empty", ", ".join(bad))
    named = {n.split(":", 1)[1] for needs in FEATURES.values() for n in needs
             if n.startswith("op:")} | FEATURE_OPS_OPTIONAL
    others = sorted(code.ops - named)
    print("    ops of no feature of the matrix: %s" % (", ".join(others) or "-"))
    print("%d passed, %d failed, 0 skipped" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
