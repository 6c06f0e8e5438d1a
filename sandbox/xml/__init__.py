"""The sandbox's legacy XML face: v1.1 and v2.0 Expense Report APIs."""
