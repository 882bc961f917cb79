"""General staffing information: OSDM's published content, its menus, and announcements."""
