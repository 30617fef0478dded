// An interop peer for quiche-engine's tests, on quic-go. Test-only: the client skips certificate
// verification (the engine's test certificates are self-signed).
//
//	peer server --listen 127.0.0.1:0 --cert C --key K --alpn A --mode echo|sink|source [--retry] [--datagrams] [--key-update] [--early]
//	peer client --connect 127.0.0.1:P --alpn A --mode echo|upload|download|datagrams|handshake
//	            [--bytes N] [--streams P] [--count N] [--resume [--early]]
//
// The stream protocol is the one of the engine's tests: echo sends every byte back and ends after
// the client's end; sink answers the byte count (8 bytes big-endian) and the SHA-256 of what it got;
// source reads an 8-byte big-endian count, then sends that many pattern bytes and ends. Pattern
// byte i is byte(i ^ i>>8 ^ i>>16 ^ i>>24). Datagrams are echoed one for one.
//
// Output is line based for the test to read: the server prints "LISTENING port" first, then one
// line per event (RETRY-SENT, ACCEPTED resumed=B, CLIENT-HELLO alpn=[...]); the client prints
// "OK ..." and exits 0, or "FAIL reason" and exits 1. Every peer ends itself after --deadline.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/quic-go/quic-go"
)

var out sync.Mutex

func say(format string, args ...any) {
	out.Lock()
	defer out.Unlock()
	fmt.Printf(format+"\n", args...)
}

func fail(format string, args ...any) {
	say("FAIL "+format, args...)
	os.Exit(1)
}

func pattern(offset int64, b []byte) {
	for k := range b {
		i := offset + int64(k)
		b[k] = byte(i ^ i>>8 ^ i>>16 ^ i>>24)
	}
}

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "server" && os.Args[1] != "client") {
		fmt.Fprintln(os.Stderr, "usage: peer server|client [options] (see the comment in main.go)")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "server: address to listen on")
	connect := fs.String("connect", "", "client: server address")
	certFile := fs.String("cert", "", "server: PEM certificate")
	keyFile := fs.String("key", "", "server: PEM private key")
	alpn := fs.String("alpn", "interop", "ALPN protocol")
	serverName := fs.String("server-name", "localhost", "client: TLS server name")
	mode := fs.String("mode", "echo", "server: echo|sink|source; client: echo|upload|download|datagrams|handshake")
	retry := fs.Bool("retry", false, "server: force a Retry before every connection")
	datagrams := fs.Bool("datagrams", false, "enable QUIC datagrams (the server echoes them)")
	_ = fs.Bool("key-update", false, "server: accepted for symmetry with the quinn peer; quic-go updates its keys by itself after 100 packets")
	size := fs.Int64("bytes", 1<<20, "client: bytes per stream")
	streams := fs.Int("streams", 1, "client: concurrent bidirectional streams")
	count := fs.Int("count", 100, "client: datagrams to exchange")
	resume := fs.Bool("resume", false, "client: connect twice, the second time resuming the first's TLS session")
	early := fs.Bool("early", false, "server: accept 0-RTT; client (with --resume): send in 0-RTT on the second connection")
	deadline := fs.Int("deadline", 60, "the process ends itself after this many seconds")
	_ = fs.Parse(os.Args[2:])
	time.AfterFunc(time.Duration(*deadline)*time.Second, func() { fail("deadline of %ds passed", *deadline) })

	conf := &quic.Config{EnableDatagrams: *datagrams, MaxIncomingStreams: 1000, MaxIdleTimeout: 30 * time.Second}
	if os.Args[1] == "server" {
		conf.Allow0RTT = *early
		runServer(*listen, *certFile, *keyFile, *alpn, *mode, *retry, *early, conf)
		return
	}
	tlsConf := &tls.Config{InsecureSkipVerify: true, ServerName: *serverName, NextProtos: []string{*alpn}}
	if *resume {
		tlsConf.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	}
	runClient(*connect, tlsConf, conf, *mode, *size, *streams, *count, *resume, *early)
}

func runServer(listen, certFile, keyFile, alpn, mode string, retry, early bool, conf *quic.Config) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		fail("cannot load --cert/--key: %v", err)
	}
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{alpn}}
	tlsConf.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		say("CLIENT-HELLO alpn=%v", hello.SupportedProtos)
		return nil, nil
	}
	addr, err := net.ResolveUDPAddr("udp", listen)
	if err != nil {
		fail("bad --listen %q: %v", listen, err)
	}
	udp, err := net.ListenUDP("udp", addr)
	if err != nil {
		fail("cannot listen on %s: %v", listen, err)
	}
	tr := &quic.Transport{Conn: udp}
	if retry {
		tr.VerifySourceAddress = func(net.Addr) bool {
			say("RETRY-SENT")
			return true
		}
	}
	// An early listener hands out connections at once (0-RTT data is served before the handshake
	// completes); whether it resumed and took early data is known once the handshake is done.
	var accept func(context.Context) (*quic.Conn, error)
	if early {
		ln, err := tr.ListenEarly(tlsConf, conf)
		if err != nil {
			fail("cannot start the QUIC listener: %v", err)
		}
		accept = ln.Accept
	} else {
		ln, err := tr.Listen(tlsConf, conf)
		if err != nil {
			fail("cannot start the QUIC listener: %v", err)
		}
		accept = ln.Accept
	}
	say("LISTENING %d", udp.LocalAddr().(*net.UDPAddr).Port)
	for {
		conn, err := accept(context.Background())
		if err != nil {
			fail("accept: %v", err)
		}
		go func() {
			select {
			case <-conn.HandshakeComplete():
				state := conn.ConnectionState()
				say("ACCEPTED resumed=%t early=%t", state.TLS.DidResume, state.Used0RTT)
			case <-conn.Context().Done():
			}
		}()
		go serveConn(conn, mode, conf.EnableDatagrams)
	}
}

func serveConn(conn *quic.Conn, mode string, datagrams bool) {
	if datagrams {
		go func() {
			for {
				d, err := conn.ReceiveDatagram(context.Background())
				if err != nil {
					return
				}
				_ = conn.SendDatagram(d)
			}
		}()
	}
	for {
		s, err := conn.AcceptStream(context.Background())
		if err != nil {
			say("CLOSED %v", err)
			return
		}
		go serveStream(s, mode)
	}
}

func serveStream(s *quic.Stream, mode string) {
	defer s.Close()
	switch mode {
	case "echo":
		_, _ = io.Copy(s, s)
	case "sink":
		h := sha256.New()
		n, err := io.Copy(h, s)
		if err != nil {
			return
		}
		answer := binary.BigEndian.AppendUint64(nil, uint64(n))
		_, _ = s.Write(h.Sum(answer))
	case "source":
		var head [8]byte
		if _, err := io.ReadFull(s, head[:]); err != nil {
			return
		}
		n := int64(binary.BigEndian.Uint64(head[:]))
		buf := make([]byte, 64*1024)
		for off := int64(0); off < n; {
			chunk := buf[:min(int64(len(buf)), n-off)]
			pattern(off, chunk)
			if _, err := s.Write(chunk); err != nil {
				return
			}
			off += int64(len(chunk))
		}
	}
}

func runClient(addr string, tlsConf *tls.Config, conf *quic.Config, mode string, size int64, streams, count int, resume, early bool) {
	start := time.Now()
	if resume {
		first := dial(addr, tlsConf, conf)
		// The ticket arrives after the handshake: one exchange makes sure it has been read.
		exchange(first, mode, size, streams, count)
		_ = first.CloseWithError(0, "")
	}
	var conn *quic.Conn
	if early && resume {
		conn = dialEarly(addr, tlsConf, conf)
	} else {
		conn = dial(addr, tlsConf, conf)
	}
	exchange(conn, mode, size, streams, count)
	<-conn.HandshakeComplete()
	state := conn.ConnectionState()
	_ = conn.CloseWithError(0, "")
	if resume && !state.TLS.DidResume {
		fail("the second connection did not resume the first's TLS session (the server sent no usable ticket)")
	}
	if early && !state.Used0RTT {
		fail("the server did not accept 0-RTT on the resumed connection")
	}
	say("OK mode=%s streams=%d bytes=%d resumed=%t early=%t ms=%d", mode, streams, size, state.TLS.DidResume, state.Used0RTT, time.Since(start).Milliseconds())
}

func dial(addr string, tlsConf *tls.Config, conf *quic.Config) *quic.Conn {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := quic.DialAddr(ctx, addr, tlsConf, conf)
	if err != nil {
		fail("handshake with %s failed: %v", addr, err)
	}
	return conn
}

// dialEarly returns as soon as 0-RTT data can be sent; the exchange then starts before the handshake completes.
func dialEarly(addr string, tlsConf *tls.Config, conf *quic.Config) *quic.Conn {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := quic.DialAddrEarly(ctx, addr, tlsConf, conf)
	if err != nil {
		fail("0-RTT handshake with %s failed: %v", addr, err)
	}
	return conn
}

func exchange(conn *quic.Conn, mode string, size int64, streams, count int) {
	switch mode {
	case "handshake":
		return
	case "datagrams":
		pingDatagrams(conn, count)
		return
	}
	errs := make(chan error, streams)
	for i := 0; i < streams; i++ {
		s, err := conn.OpenStreamSync(context.Background())
		if err != nil {
			fail("open stream %d: %v", i, err)
		}
		go func() { errs <- transfer(s, mode, size) }()
	}
	for i := 0; i < streams; i++ {
		if err := <-errs; err != nil {
			fail("%s: %v", mode, err)
		}
	}
}

func transfer(s *quic.Stream, mode string, size int64) error {
	id := s.StreamID()
	switch mode {
	case "echo":
		go func() {
			_ = writePattern(s, size)
			_ = s.Close()
		}()
		return readPattern(s, size, id)
	case "upload":
		if err := writePattern(s, size); err != nil {
			return fmt.Errorf("stream %d: write: %w", id, err)
		}
		_ = s.Close()
		answer, err := io.ReadAll(s)
		if err != nil {
			return fmt.Errorf("stream %d: reading the sink's answer: %w", id, err)
		}
		want := sha256.New()
		buf := make([]byte, 64*1024)
		for off := int64(0); off < size; {
			chunk := buf[:min(int64(len(buf)), size-off)]
			pattern(off, chunk)
			want.Write(chunk)
			off += int64(len(chunk))
		}
		expected := want.Sum(binary.BigEndian.AppendUint64(nil, uint64(size)))
		if !bytes.Equal(answer, expected) {
			return fmt.Errorf("stream %d: the sink answered %x, expected %x (count and SHA-256)", id, answer, expected)
		}
		return nil
	case "download":
		if _, err := s.Write(binary.BigEndian.AppendUint64(nil, uint64(size))); err != nil {
			return fmt.Errorf("stream %d: write: %w", id, err)
		}
		_ = s.Close()
		return readPattern(s, size, id)
	}
	return fmt.Errorf("unknown client mode %q", mode)
}

func writePattern(w io.Writer, size int64) error {
	buf := make([]byte, 16*1024)
	for off := int64(0); off < size; {
		chunk := buf[:min(int64(len(buf)), size-off)]
		pattern(off, chunk)
		if _, err := w.Write(chunk); err != nil {
			return err
		}
		off += int64(len(chunk))
	}
	return nil
}

func readPattern(r io.Reader, size int64, id quic.StreamID) error {
	buf := make([]byte, 64*1024)
	want := make([]byte, len(buf))
	var off int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if off+int64(n) > size {
				return fmt.Errorf("stream %d: got more than the %d bytes expected", id, size)
			}
			pattern(off, want[:n])
			if !bytes.Equal(buf[:n], want[:n]) {
				return fmt.Errorf("stream %d: wrong bytes at offset %d", id, off)
			}
			off += int64(n)
		}
		if errors.Is(err, io.EOF) {
			if off != size {
				return fmt.Errorf("stream %d: ended after %d of %d bytes", id, off, size)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("stream %d: read after %d bytes: %w", id, off, err)
		}
	}
}

// pingDatagrams sends count datagrams one at a time and waits for each echo; a lost one is sent
// again (datagrams are unreliable), up to five times.
func pingDatagrams(conn *quic.Conn, count int) {
	if !conn.ConnectionState().SupportsDatagrams.Remote {
		fail("the server did not offer QUIC datagrams")
	}
	for k := 0; k < count; k++ {
		d := make([]byte, 8+(k*37)%1000)
		pattern(int64(k)*4096, d)
		binary.BigEndian.PutUint64(d, uint64(k))
		got := false
		for attempt := 0; attempt < 5 && !got; attempt++ {
			if err := conn.SendDatagram(d); err != nil {
				fail("datagram %d: send: %v", k, err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			for {
				echo, err := conn.ReceiveDatagram(ctx)
				if err != nil {
					break
				}
				if bytes.Equal(echo, d) {
					got = true
					break
				}
				if len(echo) < 8 || binary.BigEndian.Uint64(echo) > uint64(k) {
					cancel()
					fail("datagram %d: unexpected echo of %d bytes %q", k, len(echo), strings.ToValidUTF8(string(echo[:min(len(echo), 16)]), "?"))
				}
			}
			cancel()
		}
		if !got {
			fail("datagram %d (%d bytes) was not echoed after 5 tries", k, len(d))
		}
	}
}
