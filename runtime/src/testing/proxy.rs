//! A loopback TCP proxy a test can cut: a database (or any server) that goes away and comes
//! back, without stopping the real one other tests share.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Forwards connections from its own loopback address to a target server until
/// [`cut`](Self::cut), when open connections break and new ones are closed at once, as with a
/// server that is down; [`restore`](Self::restore) lets connections through again. Stops when
/// dropped.
#[derive(Debug)]
pub struct TcpProxy {
    address: SocketAddr,
    up: watch::Sender<bool>,
    accepting: tokio::task::JoinHandle<()>,
}

impl TcpProxy {
    /// A proxy to `target` on a free loopback port.
    pub async fn start(target: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (up, watching) = watch::channel(true);
        let accepting = tokio::spawn(accept(listener, target, watching));
        Ok(Self {
            address,
            up,
            accepting,
        })
    }

    /// The address to connect to instead of the target.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Breaks every open connection and closes new ones at once, until [`restore`](Self::restore).
    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.accepting.abort();
        // Breaks the open connections too.
        self.up.send_replace(false);
    }
}

async fn accept(listener: TcpListener, target: SocketAddr, up: watch::Receiver<bool>) {
    while let Ok((client, _)) = listener.accept().await {
        if !*up.borrow() {
            // Closed at once: what a client of a server that is down sees.
            drop(client);
            continue;
        }
        tokio::spawn(forward(client, target, up.clone()));
    }
}

/// Copies bytes both ways until either side closes or the proxy is cut.
async fn forward(mut client: TcpStream, target: SocketAddr, mut up: watch::Receiver<bool>) {
    let Ok(mut server) = TcpStream::connect(target).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = up.wait_for(|up| !up) => {}
    }
}
