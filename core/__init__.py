"""What every app uses (#25): the one-line text rule, rate limits and client addresses, and
Markdown to safe HTML. It imports no app of ours; every app may import it."""
