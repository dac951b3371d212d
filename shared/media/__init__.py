"""Media: video lessons from upload to signed HLS playback, captions and transcripts."""
