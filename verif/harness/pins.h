// Byte and bit access to Verilator ports, scalar (CData/SData/IData/QData) and wide (VlWide).
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "Vhwgen_top.h"
#include "axi_mem.h"
#include "verilated.h"

namespace hwgen {

template <typename P>
using PortT = std::remove_cv_t<std::remove_reference_t<P>>;

constexpr int kDataBytes = static_cast<int>(sizeof(PortT<decltype(std::declval<Vhwgen_top&>().m_axi_rdata)>));
static_assert(kDataBytes <= hwgen::kMaxDataBytes, "AXI data bus too wide for the memory model");

template <typename T>
inline void put_bytes(T& port, const uint8_t* src, int n) {
    static_assert(std::is_integral<T>::value, "scalar port");
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = (v << 8) | src[i];
    port = static_cast<T>(v);
}
template <std::size_t N>
inline void put_bytes(VlWide<N>& port, const uint8_t* src, int n) {
    for (std::size_t w = 0; w < N; w++) {
        uint32_t v = 0;
        for (int b = 3; b >= 0; b--) {
            const int i = static_cast<int>(w) * 4 + b;
            v = (v << 8) | (i < n ? src[i] : 0u);
        }
        port[w] = v;
    }
}
template <typename T>
inline void get_bytes(const T& port, uint8_t* dst, int n) {
    static_assert(std::is_integral<T>::value, "scalar port");
    uint64_t v = port;
    for (int i = 0; i < n; i++) {
        dst[i] = static_cast<uint8_t>(v & 0xff);
        v >>= 8;
    }
}
template <std::size_t N>
inline void get_bytes(const VlWide<N>& port, uint8_t* dst, int n) {
    for (int i = 0; i < n; i++) dst[i] = static_cast<uint8_t>(port[i / 4] >> (8 * (i % 4)));
}
template <typename T>
inline void get_bits(const T& port, uint8_t* dst, int n) {
    static_assert(std::is_integral<T>::value, "scalar port");
    const uint64_t v = port;
    for (int i = 0; i < n; i++) dst[i] = static_cast<uint8_t>((v >> i) & 1u);
}
template <std::size_t N>
inline void get_bits(const VlWide<N>& port, uint8_t* dst, int n) {
    for (int i = 0; i < n; i++) dst[i] = static_cast<uint8_t>((port[i / 32] >> (i % 32)) & 1u);
}

}  // namespace hwgen
