"""Concur's legacy XML APIs (v1.1 and v2.0): safe parsing, building and mappings."""
