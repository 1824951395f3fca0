// Replaced by the pulse_common sources.
namespace pulse {}
