"""Tests of concur-gateway, mirroring its packages."""
