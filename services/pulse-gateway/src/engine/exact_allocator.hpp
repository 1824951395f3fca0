#pragma once
// An allocator for the handlers of long-lived waits (a connection's read readiness, a session's
// heartbeat), which stay pending for the connection's whole life. Asio's default recycling
// allocator hands such a wait a cached block left by an earlier, larger operation (a Beast read
// op); the wait then pins that block for hours. Binding this allocator
// (boost::asio::bind_allocator) makes the operation allocate exactly its own size instead.
#include <cstddef>
#include <new>

namespace pulse::engine {

template <class T>
struct ExactAllocator {
    using value_type = T;
    ExactAllocator() noexcept = default;
    template <class U>
    ExactAllocator(const ExactAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }
    template <class U>
    bool operator==(const ExactAllocator<U>&) const noexcept {
        return true;
    }
    template <class U>
    bool operator!=(const ExactAllocator<U>&) const noexcept {
        return false;
    }
};

}  // namespace pulse::engine
