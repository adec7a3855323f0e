"""Builders the tests share (not fixtures: those live in ``tests/conftest.py``).

- ``sources``: write a source folder of contract CSVs;
- ``peer_fixture``, ``sa_fixture``, ``reported_fixture``: small hand-made warehouses whose right
  answers are worked out by hand or by an independent pandas reading;
- ``apptest``: open a page of the app in Streamlit's AppTest, read its tables and downloads;
- ``browser``: run the real app for Debian's chromium (browser tests and ``bench/``);
- ``stamps``: a fixed export stamp for byte-exact export tests.
"""
