"""Source models: how each kind of source turns happenings into records — acoustic sensors,
radars, drones and cameras, satellites, observer patrols — and the parties' complaints."""
