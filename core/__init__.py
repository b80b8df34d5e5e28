"""The ground every other package stands on: the contract models (tickets, results, evaluation
cases: CONTRACTS §1, §3, §4), the settings, the switches that keep CrewAI and Hugging Face off the
network, token counting (cl100k) and reading a model's JSON answer.

Imports no other package of the project.
"""
