"""What people read: the leaderboard pages, plots and the static site, from Result files alone."""
