package io.sockeye.cli;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The URLs a server listening on all interfaces can be reached at, for the banner (as miniserve prints
 * them): this machine's loopback addresses first, then each address of each interface that is up, IPv4
 * before IPv6, IPv6 in brackets. IPv6 link-local addresses ({@code fe80::/10}) are left out: they need a
 * zone ({@code %eth0}) that browsers do not take in URLs.
 */
final class Addresses {

    private Addresses() {
    }

    /** @return the addresses of the interfaces that are up, or just the loopback ones if they cannot be listed */
    static List<InetAddress> local() {
        List<InetAddress> all = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                try {
                    if (!nif.isUp()) continue;
                } catch (SocketException e) {
                    continue; // gone since it was listed
                }
                all.addAll(Collections.list(nif.getInetAddresses()));
            }
        } catch (SocketException | NullPointerException e) {
            // no interfaces could be listed (a sandbox, say): the loopback URL is still right
        }
        if (all.stream().noneMatch(InetAddress::isLoopbackAddress)) all.add(InetAddress.getLoopbackAddress());
        return all;
    }

    /**
     * @param scheme    {@code http} or {@code https}
     * @param port      the port listened on
     * @param addresses the machine's addresses, in any order
     * @param localName what to call the loopback address instead of {@code 127.0.0.1} (with HTTPS,
     *                  {@code localhost}: the name the certificate is for), or {@code null}
     * @return the URLs, loopback first, without duplicates
     */
    static List<String> urls(String scheme, int port, List<InetAddress> addresses, String localName) {
        List<InetAddress> usable = new ArrayList<>();
        for (InetAddress a : addresses) {
            if (a.isAnyLocalAddress() || a.isMulticastAddress()) continue;
            if (a instanceof Inet6Address && a.isLinkLocalAddress()) continue;
            usable.add(a);
        }
        usable.sort(Comparator.comparingInt((InetAddress a) -> a.isLoopbackAddress() ? 0 : 1)
                .thenComparingInt(a -> a instanceof Inet4Address ? 0 : 1));
        List<String> urls = new ArrayList<>();
        if (localName != null) urls.add(scheme + "://" + localName + ":" + port + "/");
        for (InetAddress a : usable) {
            String url = scheme + "://" + host(a) + ":" + port + "/";
            if (!urls.contains(url)) urls.add(url);
        }
        return urls;
    }

    /** @return an address as written in a URL: IPv6 compacted and in brackets, without a zone */
    static String host(InetAddress a) {
        return a instanceof Inet6Address ? "[" + Main.compact(a.getAddress()) + "]" : a.getHostAddress();
    }

    /** @return the first URL that is not a loopback one (for another device on the network), or {@code null} */
    static String lanUrl(List<String> urls) {
        for (String u : urls) {
            if (!u.contains("://127.") && !u.contains("://[::1]") && !u.contains("://localhost")) return u;
        }
        return null;
    }
}
