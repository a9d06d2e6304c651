"""The CPU a result was computed on: model and SIMD extensions, recorded in provenance and on the leaderboard."""

import dataclasses

from benchmark.report.leaderboard import render_pages
from benchmark.run.machine import SIMD_FLAGS, cpu_description, machine

INTEL = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz
flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512_vnni avx512_bf16 amx_bf16

processor\t: 1
model name\t: some other CPU
flags\t\t: fpu sse4_2
"""

ARM = """processor\t: 0
BogoMIPS\t: 243.75
Features\t: fp asimd evtstrm aes sve
CPU implementer\t: 0x41
"""


def test_model_and_simd_of_the_first_cpu_in_flag_order():
    got = cpu_description(INTEL)
    assert got["model"] == "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz"
    assert got["simd"] == ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16"]


def test_arm_features_without_a_model_name_fall_back_to_the_platform():
    got = cpu_description(ARM)
    assert got["simd"] == ["asimd", "sve"]
    assert isinstance(got["model"], str) and got["model"]


def test_no_cpuinfo_gives_no_flags_and_still_a_model_string():
    got = cpu_description("")
    assert got["simd"] == [] and isinstance(got["model"], str)


def test_machine_of_this_process():
    m = machine()
    assert {"python", "platform", "cpus", "cpu"} <= set(m)
    assert set(m["cpu"]["simd"]) <= set(SIMD_FLAGS)


def _with_cpu(result, cpu):
    prov = dict(result.provenance, machine={"cpus": 2, "cpu": cpu} if cpu else {"cpus": 2})
    return dataclasses.replace(result, provenance=prov)


def test_leaderboard_lists_items_per_cpu_only_when_recorded():
    from tests.unit.test_leaderboard import fixture_results

    plain = render_pages(fixture_results())["README.md"]
    assert "- CPUs:" not in plain  # results from before the field: the page is unchanged
    a, b = fixture_results()
    mixed = [_with_cpu(a, {"model": "AMD EPYC", "simd": ["avx2", "fma"]}), _with_cpu(b, None)]
    page = render_pages(mixed)["README.md"]
    assert "- CPUs: AMD EPYC (avx2, fma): 1 item; not recorded: 1 item." in page
    both = [_with_cpu(r, {"model": "X", "simd": []}) for r in (a, b)]
    assert "- CPUs: X (no SIMD extensions listed): 2 items." in render_pages(both)["README.md"]
