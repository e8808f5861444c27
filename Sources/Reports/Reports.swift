// Reports: see ARCHITECTURE §2. Filled in by its issue.
