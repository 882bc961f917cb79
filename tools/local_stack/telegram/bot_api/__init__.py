"""The Bot API methods the emulator implements, by concern."""
