"""Building the hierarchical crew from config/ (CrewAI's @CrewBase conventions): the YAML
declarations, the manager's team roster and delegation tool, the toolbox and the ticket's resolution.

May import: core, memory, tools, safety."""
