"""`make run` on a fresh Debian machine: missing Qt xcb libraries are found at once and either
installed (root) or named with the one command that installs them."""

from __future__ import annotations

import pytest

from sewer_gui import system_libs

LDD = """\tlinux-vdso.so.1 (0x00007ffd)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)
\tlibxcb-icccm.so.4 => not found
"""
LDCONFIG_WITHOUT_CURSOR = "\tlibxcb.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libxcb.so.1\n"


@pytest.fixture
def fake_plugin(tmp_path, monkeypatch):
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"\x7fELF")
    monkeypatch.setattr(system_libs, "xcb_plugin", lambda: plugin)
    monkeypatch.setattr(system_libs.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    return plugin


def fake_run(command):
    return LDD if command[0] == "ldd" else LDCONFIG_WITHOUT_CURSOR


def test_every_missing_library_is_named_with_one_command(fake_plugin, capsys):
    assert system_libs.check(run=fake_run, is_root=False) == 1
    err = capsys.readouterr().err
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1, libxcb-cursor.so.0" in err
    assert ("sudo apt-get install -y --no-install-recommends libxcb-icccm4 libxcb-keysyms1 "
            "libxcb-cursor0") in err


def test_root_installs_them_with_apt_get(fake_plugin, monkeypatch, capsys):
    monkeypatch.setattr(system_libs.shutil, "which", lambda name: f"/usr/bin/{name}")
    installed = []
    assert system_libs.check(run=fake_run, is_root=True,
                             install=lambda cmd: installed.append(cmd) or 0) == 0
    assert installed == [["apt-get", "install", "-y", "--no-install-recommends",
                          "libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0"]]
    failed = system_libs.check(run=fake_run, is_root=True, install=lambda cmd: 100)
    assert failed == 1 and "sudo apt-get install" in capsys.readouterr().err


def test_nothing_to_do_offscreen_or_when_complete(fake_plugin, monkeypatch):
    complete = "\tlibxcb-cursor.so.0 (libc6,x86-64) => /lib/libxcb-cursor.so.0\n"
    assert system_libs.check(run=lambda c: "" if c[0] == "ldd" else complete) == 0
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert system_libs.check(run=fake_run, is_root=False) == 0
