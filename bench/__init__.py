"""Throughput and memory benchmark (``make bench``); see bench/run.py."""
