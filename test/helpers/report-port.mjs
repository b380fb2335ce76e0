// Preloaded (`node --import`) into a server that only takes its port from PORT and prints nothing usable: when it
// listens, its real port goes to the parent over IPC. With PORT=0 the OS picks a free port, so tests never collide.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  this.once('listening', () => {
    const address = this.address();
    if (address && typeof address === 'object') process.send?.({ listening: address.port });
  });
  return listen.apply(this, args);
};
