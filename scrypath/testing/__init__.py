"""Test support for apps that use scrypath: a fake Meilisearch, provisioning and a pytest plugin."""
