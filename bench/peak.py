"""Peak memory of this process, for the measured children of the benchmark."""

from __future__ import annotations

import resource
import sys


def peak_mb() -> float:
    """This process's peak resident memory in MB.

    VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child started by a big
    parent would report the parent's size; VmHWM belongs to the new address space.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB (bytes on macOS)
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)
