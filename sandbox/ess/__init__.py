"""The sandbox's Event Subscription Service: subscriptions and signed webhook delivery."""
